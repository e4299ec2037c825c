"""Paging latency: from a deadline's due time to the first 200 at a healthy webhook receiver.

Every case runs the production processes as the README starts them (the Celery workers of
``config.queues.WORKERS`` and ``manage.py run_engine``, production settings, a private Redis and
private queues, a throwaway PostgreSQL database per run cloned from a migrated template):

    steady     300 deadlines (one incident each) due evenly over 20 s; one engine
    burst      1,000 deadlines due within the same second; three engines
    receivers  100 deadlines due over 10 s; each page goes to four webhooks of one person: one hangs
               (answers after 60 s), one fails twice per message (500), one drops the connection, one
               is healthy (listed last, so it is sent after the others)
    batch      200 breaches committed at once by the bench's own sweep, timed from that COMMIT (the
               older case: dispatch and sending only, no engine)

Deadlines are created through the application (bulk insert + ``deadlines_schedule``), so they get
their NOTIFY and, when the design has them, their Celery ETA timers, as in production. Latency is the
receiver's arrival time minus ``due_at``, on this machine's one clock. In the same run each case is
measured for several designs, interleaved:

    --designs  no-timers (GOLDEN_HOURS_ETA_HORIZON=0) and timers (900, per-deadline ETA timers)
    --layouts  production (config.queues.WORKERS), single (one worker consuming every queue with
               the default concurrency, as the README ran it before queues by urgency) and
               paging-worker (one worker of two processes for dispatch and sends, one for the rest)

Results: a table on stdout and JSON in bench/results/paging.json, with the load average of every run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/paging.py
    .venv/bin/python bench/paging.py --cases steady,burst --designs no-timers --layouts production --quick
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS_P99_S = {"steady": 2.0, "burst": 5.0, "receivers": 2.0, "batch": 0.5}
FULL = {"steady": (300, 20.0), "burst": (1000, 1.0), "receivers": (100, 10.0), "batch": (200, 0.0)}
QUICK = {"steady": (100, 10.0), "burst": (300, 1.0), "receivers": (40, 8.0), "batch": (100, 0.0)}
ENGINES = {"steady": 1, "burst": 3, "receivers": 1, "batch": 0}
DESIGNS = {"no-timers": "0", "timers": "900"}
TASK_RUN = re.compile(r"Task ([\w.]+)\[[0-9a-f-]+\] (?:succeeded|retry|raised)[^\n]*? in ([0-9.e-]+)s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(seconds: list[float], of: int) -> dict:
    if not seconds:
        return {"n": 0, "of": of}
    return {"n": len(seconds), "of": of, "p50_s": round(percentile(seconds, 50), 3),
            "p99_s": round(percentile(seconds, 99), 3), "max_s": round(max(seconds), 3)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# Databases: one migrated template, a clone per run


def with_dbname(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_execute(base_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(with_dbname(base_url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def production_env(db_url: str) -> dict[str, str]:
    # Production settings (DEBUG off, as deployed); the secret is a placeholder for a throwaway database.
    return {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "bench-not-secret",
            "DJANGO_ALLOWED_HOSTS": "localhost", "GOLDEN_HOURS_BASE_URL": "http://localhost:8000",
            "DATABASE_URL": db_url}


# One run (a child process): one case, one design, one layout


class FailsTwice:
    """Answers 500 to the first two requests of each message (by Idempotency-Key), then 200."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, key: str):
        with self.lock:
            self.seen[key] = self.seen.get(key, 0) + 1
            return 500 if self.seen[key] <= 2 else 200


def receivers_start(case: str) -> dict:
    from tests.oncall.receiver import DROP, STALL, Receiver

    if case != "receivers":
        return {"healthy": Receiver().start()}
    fails = FailsTwice()

    class PerMessage(Receiver):
        def _next(self, item):
            with self.lock:
                self.requests.append(item)
            return fails(item.key)

    return {"hangs": Receiver(then=STALL, stall_seconds=60).start(), "fails twice": PerMessage().start(),
            "drops": Receiver(then=DROP).start(), "healthy": Receiver().start()}


def world_create(receivers: dict, count: int):
    from crisis import clock
    from crisis.models import Incident, Organization, Role
    from crisis.oncall.models import ContactKind, ContactMethod, TargetKind
    from tests.factories import member
    from tests.oncall.factories import policy_with

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}", time_zone="Asia/Shanghai")
    responder = member(org, Role.RESPONDER)
    for position, receiver in enumerate(receivers.values()):
        ContactMethod.objects.create(user=responder, kind=ContactKind.WEBHOOK, target=receiver.url, secret="bench",
                                     position=position, reaches_internal_network=True)
    policy_with(org, [{"target_kind": TargetKind.USER, "user": responder, "wait_seconds": 300}])
    now = clock.now()
    return Incident.objects.bulk_create(
        Incident(organization=org, title=f"Bench incident {i}", first_public_signal_at=now, detected_at=now,
                 status="active") for i in range(count))


def deadlines_create(incidents, due_ats: list[datetime], tag: str) -> dict[int, datetime]:
    """As the playbook creates them: bulk insert, NOTIFY and (with timers) ETA timers at commit."""
    from django.db import transaction

    from crisis.models import Deadline
    from crisis.timers.scheduling import deadlines_schedule

    due_by_incident = {}
    for start in range(0, len(due_ats), 200):
        with transaction.atomic():
            rows = Deadline.objects.bulk_create(
                Deadline(incident=incident, step_key=f"bench-{tag}", name=f"Bench step {tag}", due_at=due)
                for incident, due in zip(incidents[start:start + 200], due_ats[start:start + 200], strict=True))
            deadlines_schedule(deadlines=rows)
        due_by_incident |= {d.incident_id: d.due_at for d in rows}
    return due_by_incident


def first_arrivals(receiver) -> dict[int, float]:
    """Incident id -> when the receiver first got a page for it (the healthy one answers that request 200)."""
    first: dict[int, float] = {}
    for request in list(receiver.requests):
        incident_id = request.json()["page"]["incident_id"]
        first.setdefault(incident_id, request.at)
    return first


def task_seconds(logs: list[str]) -> dict[str, dict]:
    """Worker time per task name, from the workers' INFO lines ("Task x[id] succeeded in 0.01s")."""
    totals: dict[str, dict] = {}
    for text in logs:
        for name, seconds in TASK_RUN.findall(text):
            entry = totals.setdefault(name.rsplit(".", 1)[-1], {"runs": 0, "seconds": 0.0})
            entry["runs"] += 1
            entry["seconds"] = round(entry["seconds"] + float(seconds), 2)
    return totals


def layout_workers(layout: str):
    from config.queues import DISPATCH, HOUSEKEEPING, QUEUES, REPORTS, SENDS, TIMERS, WORKERS, Worker

    layouts = {
        "production": list(WORKERS),
        # As the README ran it before: `celery -A config worker --prefetch-multiplier 1`, default concurrency (cores).
        "single": [Worker("worker", QUEUES)],
        # The other candidate: one paging worker (processes) for dispatch and sends, one for the rest.
        "paging-worker": [Worker("paging", (DISPATCH, SENDS), ("--pool", "prefork", "--concurrency", "2")),
                          Worker("background", (TIMERS, HOUSEKEEPING, REPORTS), ("--pool", "prefork",
                                                                                 "--concurrency", "1"))],
    }
    return layouts[layout]


def child_run(spec: dict) -> dict:
    from tests.timers.processes import EngineStack, process_tree_cpu, wait_for

    case, count, window = spec["case"], spec["count"], spec["window"]
    workdir = Path(spec["workdir"])
    stack = EngineStack(workdir=workdir, database_url=spec["db_url"], queue=f"bench-paging-{uuid.uuid4().hex[:8]}")
    receivers = receivers_start(case)
    healthy = receivers["healthy"]
    load_start = load_average()
    try:
        stack.redis_start()
        env = production_env(spec["db_url"]) | {
            "REDIS_URL": stack.redis_url, "CELERY_BROKER_URL": stack.redis_url,
            "GOLDEN_HOURS_QUEUE_PREFIX": stack.queue, "GOLDEN_HOURS_ETA_HORIZON": DESIGNS[spec["design"]],
            "GOLDEN_HOURS_SEND_TIMERS": "1",
            "GOLDEN_HOURS_RELAY_AFTER": "5"}
        stack.extra_env.update(env)
        os.environ.update(env)
        stack.clock_set(0)
        import django

        django.setup()
        incidents = world_create(receivers, count)
        for worker in layout_workers(spec["layout"]):
            stack.worker_start(worker.name, worker=worker)
        for n in range(ENGINES[case]):
            stack.engine_start(f"engine{n}", max_sleep=30.0)
        pids = [m.proc.pid for m in stack.processes.values()]
        cpu_before = process_tree_cpu(pids)
        if case == "batch":
            result = batch_round(incidents, healthy, count, spec["timeout"])
        else:
            now = datetime.now(UTC)
            if case == "burst":
                start = now.replace(microsecond=0) + timedelta(seconds=8)
                due_ats = [start + timedelta(microseconds=int(1_000_000 * i / count)) for i in range(count)]
            else:
                due_ats = [now + timedelta(seconds=3 + window * i / count) for i in range(count)]
            due = deadlines_create(incidents, due_ats, uuid.uuid4().hex[:6])
            with contextlib.suppress(TimeoutError):  # reported as "received n of count"
                wait_for(lambda: len(first_arrivals(healthy)) >= count, timeout=max(due_ats).timestamp()
                         - time.time() + spec["timeout"], interval=0.2, what="every page at the healthy receiver")
            result = measure(due, healthy, receivers)
        result["worker_cpu_s"] = round(process_tree_cpu(pids) - cpu_before, 1)
    finally:
        logs = [m.text() for m in stack.processes.values() if not m.name.startswith("engine")]
        stack.stop_all()
        for receiver in receivers.values():
            receiver.stop()
        from django.db import connections

        connections.close_all()
    result.update({"case": case, "design": spec["design"], "layout": spec["layout"], "count": count,
                   "engines": ENGINES[case], "task_seconds": task_seconds(logs),
                   "load_average_start": load_start, "load_average_end": load_average()})
    return result


def measure(due: dict[int, datetime], healthy, receivers: dict) -> dict:
    from crisis.models import Breach

    arrivals = first_arrivals(healthy)
    paged = [arrivals[pk] - due[pk].timestamp() for pk in due if pk in arrivals]
    rows = Breach.objects.filter(incident_id__in=list(due)).values_list("breached_at", "recorded_at",
                                                                        "dispatched_at")
    flagged = [(recorded - at).total_seconds() for at, recorded, _d in rows]
    dispatched = [(d - at).total_seconds() for at, _r, d in rows if d is not None]
    return {"flagged": summary(flagged, len(due)), "dispatched": summary(dispatched, len(due)),
            "paged": summary(paged, len(due)),
            "requests": {name: len(r.requests) for name, r in receivers.items()}}


def batch_round(incidents, receiver, count: int, timeout: float) -> dict:
    """The older case: one sweep breaches ``count`` deadlines in one transaction; the clock starts at COMMIT."""
    from django.db import transaction

    from crisis import clock
    from crisis.models import Deadline
    from crisis.timers.sweeper import deadlines_breach_due
    from tests.timers.processes import wait_for

    results = []
    for size in (min(10, count), count, count, count):  # a warm-up round, then three
        tag = uuid.uuid4().hex[:6]
        Deadline.objects.bulk_create(Deadline(incident=i, step_key=f"bench-{tag}", name=f"Bench step {tag}",
                                              due_at=clock.now()) for i in incidents[:size])
        before = len(receiver.requests)
        committed: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(time.time()))  # noqa: B023 (runs inside this iteration)
            assert deadlines_breach_due(now=clock.now()) == size
        wait_for(lambda: len(receiver.requests) - before >= size, timeout=timeout,  # noqa: B023
                 interval=0.01, what="the batch at the receiver")
        latencies = [r.at - committed[0] for r in receiver.requests[before:]]
        results.append(summary(latencies, size))
    rounds = results[1:]
    worst = max(rounds, key=lambda r: r.get("p99_s", 0))
    return {"paged": worst, "rounds": rounds}


# The orchestrator


def run_one(spec: dict, base_url: str, template: str) -> dict:
    name = f"bench_paging_{os.getpid()}_{spec['index']}"
    admin_execute(base_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    spec = spec | {"db_url": with_dbname(base_url, name), "workdir": tempfile.mkdtemp(prefix="golden-hours-paging-")}
    out = Path(spec["workdir"]) / "result.json"
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec), "--out", str(out)], cwd=ROOT,
                              timeout=900)
        if proc.returncode != 0 or not out.exists():
            return {**spec, "error": f"run failed with exit code {proc.returncode}; logs in {spec['workdir']}"}
        result = json.loads(out.read_text())
        shutil.rmtree(spec["workdir"], ignore_errors=True)  # a failed run keeps its logs, above
        return result
    finally:
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def template_create(base_url: str) -> str:
    template = f"bench_paging_template_{os.getpid()}"
    admin_execute(base_url, f'DROP DATABASE IF EXISTS "{template}"', f'CREATE DATABASE "{template}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                   env=dict(os.environ, **production_env(with_dbname(base_url, template))), timeout=300)
    return template


def floor(count: int) -> dict:
    """The same number of POSTs straight from this process, 8 threads: no database, no queue."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tests.oncall.receiver import Receiver

    receiver = Receiver().start()
    body = json.dumps({"type": "page", "page": {"title": "x" * 80}, "ack_url": "http://x/" + "a" * 120}).encode()

    def post(n: int) -> None:
        request = urllib.request.Request(receiver.url, data=body, method="POST",  # noqa: S310
                                         headers={"Content-Type": "application/json", "Idempotency-Key": f"b{n}"})
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    try:
        started = time.time()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(post, range(count)))
        return summary([r.at - started for r in receiver.requests], count)
    finally:
        receiver.stop()


def fmt(entry: dict, key: str) -> str:
    value = entry.get(key) or {}
    if not value.get("n"):
        return "-"
    return f'{value["p50_s"]} / {value["p99_s"]} / {value["max_s"]}'


def table(runs: list[dict]) -> str:
    header = ("case", "design", "layout", "load avg", "flagged p50/p99/max s", "dispatched p50/p99/max s",
              "paged p50/p99/max s", "received", "worker CPU s", "timers run (s)", "target p99")
    rows = [header]
    for r in runs:
        if "error" in r:
            rows.append((r["case"], r["design"], r["layout"], "", "", "", r["error"], "", "", "", ""))
            continue
        paged = r["paged"]
        timers = r["task_seconds"].get("deadline_due", {})
        target = TARGETS_P99_S[r["case"]]
        ok = paged.get("n") == paged["of"] and paged.get("p99_s", 1e9) <= target
        rows.append((r["case"], r["design"], r["layout"], f'{r["load_average_start"][0]}-{r["load_average_end"][0]}',
                     fmt(r, "flagged"), fmt(r, "dispatched"), fmt(r, "paged"), f'{paged.get("n", 0)}/{paged["of"]}',
                     str(r.get("worker_cpu_s", "")), f'{timers.get("runs", 0)} ({timers.get("seconds", 0)})',
                     f'<= {target} {"PASS" if ok else "FAIL"}'))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="steady,burst,receivers,batch")
    parser.add_argument("--designs", default="no-timers,timers")
    parser.add_argument("--layouts", default="production,single")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the whole matrix, interleaved")
    parser.add_argument("--quick", action="store_true", help="smaller cases (about a third of the size)")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds after the last due time")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "paging.json"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = child_run(json.loads(args.child))
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return 0

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base_url.startswith("postgres"):
        print("bench/paging.py needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    sizes = QUICK if args.quick else FULL
    started_load = load_average()
    print(f"load average at the start: {started_load}", flush=True)
    template = template_create(base_url)
    runs = []
    try:
        index = 0
        for _ in range(args.repeat):
            for case in args.cases.split(","):
                for layout in args.layouts.split(","):
                    for design in args.designs.split(","):
                        count, window = sizes[case]
                        spec = {"index": index, "case": case, "design": design, "layout": layout, "count": count,
                                "window": window, "timeout": args.timeout}
                        index += 1
                        print(f"{case} / {design} / {layout}: {count} ... (load average {load_average()})",
                              flush=True)
                        runs.append(run_one(spec, base_url, template))
                        print(table(runs[-1:]).splitlines()[-1], flush=True)
        direct = floor(max(count for count, _w in sizes.values()))
    finally:
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    print()
    print(table(runs))
    print(f'floor: {direct["n"]} POSTs straight from this process, 8 threads: p50 {direct["p50_s"]} s, '
          f'p99 {direct["p99_s"]} s')
    result = {"benchmark": "paging", "when": datetime.now(UTC).isoformat(timespec="seconds"), "quick": args.quick,
              "load_average_start": started_load, "load_average_end": load_average(), "cpus": os.cpu_count(),
              "targets_p99_s": TARGETS_P99_S, "runs": runs, "floor_direct_posts": direct}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
