"""Scaling out: the engine and the paging workers with 1, 2 and 4 copies of each, at 100,000 pending deadlines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cluster.py
    .venv/bin/python bench/cluster.py --copies 1,2 --pending 20000 --steady 300    # a quick look
    .venv/bin/python bench/cluster.py --pending 1000000 --backlog 100000           # a million pending

For each number of copies K, on a throwaway database (``--dbname``, dropped at the end) and a private Redis,
with private queues per K (so no K inherits another's tasks), it starts K ``run_engine`` and K copies of the
paging workers (config/queues.py WORKERS: dispatch and sends; the background worker once), with the commands
of config/processes.py and production settings, and measures:

    steady   ``--steady`` deadlines (one incident each, paging a local webhook) due evenly over 10 s among
             ``--pending`` pending ones: due -> breach p50/p99 (Breach.recorded_at - due_at) and due -> page
             at the receiver p50/p99
    backlog  ``--backlog`` of the pending deadlines fall due at the same moment (the injected clock moves on:
             an outage's worth of deadlines, or a million-row table's worth of due work): breaches per second
             until all are flagged, and breaches dispatched per second (their incidents are records of the
             past, so dispatch marks them without paging: the outbox's own throughput)

Every K is compared with K=1 of the same run. Results: a table on stdout and JSON in bench/results/cluster.json,
with the load average before and after each K (the machine is shared: read the speed-ups with it).
"""

import argparse
import json
import os
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import database_create, database_drop, machine, settings_env, summary  # noqa: E402
from tests.cluster.processes import PAGING_WORKERS, ClusterStack  # noqa: E402
from tests.timers.processes import wait_for  # noqa: E402

STEADY_WINDOW_S = 10.0
STEADY_LEAD_S = 3.0
FAR = timedelta(days=2)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# The world: one organization paging a local webhook; the pending rows on a record-of-the-past incident


def world_create(receiver_url: str, steady: int):
    from crisis.models import Incident, Organization, Role
    from crisis.oncall.models import ContactKind, ContactMethod, TargetKind
    from tests.factories import member
    from tests.oncall.factories import policy_with

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}", time_zone="Asia/Shanghai")
    responder = member(org, Role.RESPONDER)
    ContactMethod.objects.create(user=responder, kind=ContactKind.WEBHOOK, target=receiver_url, secret="bench",
                                 position=0, reaches_internal_network=True)
    # No escalation within the run, even after the backlog moves the clock days ahead.
    policy_with(org, [{"target_kind": TargetKind.USER, "user": responder, "wait_seconds": 90 * 86400}])
    now = datetime.now(UTC)
    paging = Incident.objects.bulk_create(
        Incident(organization=org, title=f"Bench incident {i}", first_public_signal_at=now, detected_at=now,
                 status="active") for i in range(steady))
    # A record of the past: its breaches page nobody, so the backlog measures the engine and the outbox.
    record = Incident.objects.create(organization=org, title="Backlog", first_public_signal_at=now, detected_at=now,
                                     status="active", is_retrospective=True)
    return paging, record


def pending_seed(record, count: int, now: datetime) -> None:
    """``count`` pending deadlines ``FAR`` ahead, one second apart, in one INSERT ... SELECT (a million in
    seconds), copied from one row made through the ORM so that every column has its model default."""
    from django.db import connection

    from crisis.models import Deadline

    template = Deadline.objects.create(incident=record, step_key="later-0", name="Later step", due_at=now + FAR)
    fields = [f.column for f in Deadline._meta.concrete_fields if f.column not in ("id", "step_key", "due_at")]
    columns = ", ".join(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Deadline._meta.db_table} ({columns}, step_key, due_at) "  # noqa: S608 (model names)
            f"SELECT {columns}, 'later-' || g, due_at + g * interval '1 second' "
            f"FROM {Deadline._meta.db_table}, generate_series(1, %s) AS g WHERE id = %s",
            [count - 1, template.pk])
        cursor.execute(f"ANALYZE {Deadline._meta.db_table}")


def tables_empty() -> None:
    from django.db import connection

    from crisis.models import Breach, Deadline, Incident, TimelineEvent

    tables = [m._meta.db_table for m in (Incident, Deadline, Breach, TimelineEvent)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def wake() -> None:
    from django.db import connection

    from crisis.timers.scheduling import WAKE_CHANNEL

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [WAKE_CHANNEL])


# Measurements


def steady(paging, receiver) -> dict:
    from django.db import transaction

    from crisis.models import Breach, Deadline
    from crisis.timers.scheduling import deadlines_schedule

    n = len(paging)
    start = datetime.now(UTC) + timedelta(seconds=STEADY_LEAD_S)
    with transaction.atomic():
        rows = Deadline.objects.bulk_create(
            Deadline(incident=incident, step_key="steady", name="Bench step",
                     due_at=start + timedelta(seconds=STEADY_WINDOW_S * i / n)) for i, incident in enumerate(paging))
        deadlines_schedule(deadlines=rows)
    ids = [d.pk for d in rows]
    due = {d.incident_id: d.due_at for d in rows}
    breaches = Breach.objects.filter(deadline_id__in=ids)
    wait_for(lambda: breaches.count() == n, timeout=STEADY_LEAD_S + STEADY_WINDOW_S + 60, interval=0.2,
             what="the steady stream to breach")
    arrived = {}

    def all_arrived() -> bool:
        for request in list(receiver.requests):
            arrived.setdefault(request.json()["page"]["incident_id"], request.at)
        return len(arrived) >= n

    wait_for(all_arrived, timeout=120, interval=0.2, what="every page to reach the receiver")
    breach_ms = [(recorded - due_at).total_seconds() * 1000
                 for due_at, recorded in breaches.values_list("breached_at", "recorded_at")]
    page_ms = [(at - due[incident_id].timestamp()) * 1000 for incident_id, at in arrived.items()]
    return {"due_to_breach": summary(breach_ms), "due_to_page": summary(page_ms)}


def backlog(stack: ClusterStack, record, count: int, now: datetime) -> dict:
    """Move every process's clock past the first ``count`` pending deadlines at once and time the engines."""
    from django.db import connection

    from crisis.models import Breach, Deadline

    pending = Deadline.objects.filter(incident=record, state="pending")
    last_due = pending.order_by("due_at").values_list("due_at", flat=True)[count - 1]
    offset = (last_due - datetime.now(UTC)).total_seconds() + 0.001
    started = time.monotonic()
    stack.clock_set(offset)
    wake()  # they sleep until their next due time (days away) or NOTIFY: the clock moving sends none
    # A probe of the partial index deadline_pending_due: polling must not load the database it measures.
    still_due = Deadline.objects.filter(state="pending", due_at__lte=last_due)
    wait_for(lambda: not still_due.exists(), timeout=900, interval=0.1, what="the backlog to breach")
    flagged_s = time.monotonic() - started
    assert Deadline.objects.filter(incident=record, due_at__lte=last_due, state="breached").count() == count
    undispatched = Breach.objects.filter(dispatched_at__isnull=True)  # the partial index breach_undispatched
    try:
        wait_for(lambda: not undispatched.exists(), timeout=300, interval=0.5, what="the backlog to be dispatched")
        dispatched_s = round(time.monotonic() - started, 2)
    except TimeoutError:
        dispatched_s = None
    connection.close()
    return {"due_at_once": count, "all_flagged_s": round(flagged_s, 2),
            "breaches_per_s": round(count / flagged_s), "all_dispatched_s": dispatched_s,
            "dispatched_per_s": round(count / dispatched_s) if dispatched_s else None}


# One K


def copies_run(k: int, args, url: str, workdir: Path) -> dict:
    from django.db import connections

    from tests.oncall.receiver import Receiver

    tables_empty()
    receiver = Receiver().start()
    stack = ClusterStack(workdir=workdir / f"k{k}", database_url=url, queue=f"bench-cluster-{os.getpid()}-k{k}")
    stack.workdir.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    try:
        stack.redis_start()
        stack.extra_env.update(settings_env(url) | {"GOLDEN_HOURS_RELAY_AFTER": "5", "GOLDEN_HOURS_ETA_HORIZON": "0"})
        stack.clock_set(0)
        os.environ.update({"CELERY_BROKER_URL": stack.redis_url, "GOLDEN_HOURS_QUEUE_PREFIX": stack.queue,
                           "GOLDEN_HOURS_SEND_TIMERS": "1", "GOLDEN_HOURS_CLOCK_FILE": str(stack.clock_file)})
        from tests.timers.processes import celery_producer

        now = datetime.now(UTC)
        paging, record = world_create(receiver.url, args.steady)
        print(f"K={k}: seeding {args.pending:,} pending ...", flush=True)
        pending_seed(record, args.pending, now)
        print(f"K={k}: starting {k} engine(s) and {k} copies of {', '.join(PAGING_WORKERS)} ...", flush=True)
        started = time.monotonic()
        stack.worker_replica_start("worker-background", "worker-background", wait=False)
        for n in range(1, k + 1):
            for kind in PAGING_WORKERS:
                stack.worker_replica_start(kind, f"{kind}-{n}", wait=False)
            stack.engine_replica_start(f"engine-{n}", wait=False)
        for name in stack.processes:
            (stack.engine_wait if name.startswith("engine") else stack.worker_wait)(name)
        startup_s = round(time.monotonic() - started, 1)
        with celery_producer(stack.redis_url, stack.queue):
            print(f"K={k}: steady stream of {args.steady} ...", flush=True)
            result = {"copies": k, "startup_s": startup_s, "steady": steady(paging, receiver)}
            print(f"K={k}: backlog of {args.backlog:,} due at once ...", flush=True)
            result["backlog"] = backlog(stack, record, args.backlog, now)
    finally:
        for managed in stack.processes.values():
            if managed.alive():
                os.killpg(managed.proc.pid, signal.SIGTERM)
        time.sleep(1)  # a moment to let go of their connections before the next K truncates the tables
        stack.stop_all()
        receiver.stop()
        connections.close_all()
    result["load_average_before"] = load_before
    result["load_average_after"] = load_average()
    return result


def table(runs: list[dict], pending: int) -> str:
    base = next((run for run in runs if run["copies"] == 1), runs[0])

    def ratio(value, first) -> str:
        return f"{value / first:.2f}x" if value and first else "-"

    header = ("copies", "due->breach p50/p99 ms", "due->page p50/p99 ms", "backlog breaches/s", "vs 1",
              "dispatched/s", "vs 1", "load avg before/after")
    rows = [header]
    for run in runs:
        s, b = run["steady"], run["backlog"]
        rows.append((str(run["copies"]), f'{s["due_to_breach"].get("p50_ms")} / {s["due_to_breach"].get("p99_ms")}',
                     f'{s["due_to_page"].get("p50_ms")} / {s["due_to_page"].get("p99_ms")}',
                     str(b["breaches_per_s"]), ratio(b["breaches_per_s"], base["backlog"]["breaches_per_s"]),
                     str(b["dispatched_per_s"]), ratio(b["dispatched_per_s"], base["backlog"]["dispatched_per_s"]),
                     f'{run["load_average_before"][0]} / {run["load_average_after"][0]}'))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [f"{pending:,} pending deadlines; K engines and K copies of the paging workers", ""]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", default="1,2,4", help="numbers of engines (and paging worker copies) to run")
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--backlog", type=int, default=None, help="how many of them fall due at once "
                                                                  "(default: all of them)")
    parser.add_argument("--steady", type=int, default=1000, help="deadlines in the steady stream (10 s)")
    parser.add_argument("--dbname", default=f"bench_cluster_{os.getpid()}")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "cluster.json"))
    args = parser.parse_args()
    args.backlog = min(args.backlog or args.pending, args.pending)
    copies = [int(c) for c in args.copies.split(",")]
    workdir = ROOT / "var" / f"{args.dbname}-{os.getpid()}"  # fresh logs: readiness is read from them
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"creating {args.dbname} and migrating ... (load average {load_average()})", flush=True)
    url = database_create(args.dbname)
    os.environ.update(settings_env(url))
    runs = []
    try:
        import django

        django.setup()
        for k in copies:
            runs.append(copies_run(k, args, url, workdir))
            print(json.dumps(runs[-1]), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        database_drop(args.dbname)
    results = {"pending": args.pending, "backlog": args.backlog, "steady": args.steady, "runs": runs,
               "machine": machine()}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    print()
    print(table(runs, args.pending))
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
