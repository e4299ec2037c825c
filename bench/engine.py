"""Benchmark of the deadline engine on PostgreSQL, run as users run it, against a plain polling loop.

    .venv/bin/python bench/engine.py            # full run, ~6 minutes
    .venv/bin/python bench/engine.py --quick    # smaller, ~2 minutes

It creates a throwaway database ``bench_engine_<pid>`` on the server named by ``DATABASE_URL``
(default the local server at 5432), migrates it, starts a private redis-server, a Celery worker
and ``manage.py run_engine`` (production settings, default max sleep), and measures from each
deadline's ``due_at`` to its ``Breach.recorded_at`` (database server time when the breaching
transaction started). Where a transaction breaches many rows, an observer polling every 5 ms also
records when each breach became *visible* (committed), an upper bound on commit time.
Then it stops the engine and measures a plain 1-second polling loop over the same table.
Results: a table on stdout and JSON in ``bench/results/engine.json``. The database is dropped at the end.
"""

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import psycopg  # noqa: E402

from config.queues import WORKERS  # noqa: E402
from tests.timers.processes import PYTHON, EngineStack, process_tree_cpu, wait_for  # noqa: E402

# Per-deadline Celery ETA timers (GOLDEN_HOURS_ETA_HORIZON=900) or none, the engine alone (0).
DESIGNS = {"timers": 900, "no-timers": 0}
FULL = dict(pending=100_000, steady=1_000, steady_window=60.0, burst=5_000, fault=500, idle=30.0)
QUICK = dict(pending=10_000, steady=200, steady_window=15.0, burst=1_000, fault=100, idle=10.0)

BASELINE_LOOP = r"""
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
print("baseline polling", flush=True)
while True:
    conn.execute("UPDATE crisis_deadline SET state = 'breached', breached_at = clock_timestamp(), "
                 "version = version + 1 WHERE state = 'pending' AND due_at <= now()")
    time.sleep(1.0)
"""


# Database


def server_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def with_dbname(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def database_create(name: str) -> str:
    with psycopg.connect(with_dbname(server_url(), "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = with_dbname(server_url(), name)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                   env=dict(os.environ, **settings_env(url)), timeout=300)
    return url


def database_drop(name: str) -> None:
    with psycopg.connect(with_dbname(server_url(), "postgres"), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                      "pg_backend_pid()", [name])
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def settings_env(url: str) -> dict[str, str]:
    # Production settings (DEBUG off, as deployed); the secret is a placeholder for a throwaway database.
    return {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "bench-not-secret",
            "DJANGO_ALLOWED_HOSTS": "localhost", "GOLDEN_HOURS_BASE_URL": "http://localhost:8000", "DATABASE_URL": url}


# Seeding through the application, so deadlines get their timers and wake-ups as in production


def seed_pending(incident, count: int, now: datetime) -> None:
    """Far-future pending rows (days ahead): the load the hot path must not notice."""
    from crisis.models import Deadline

    batch = []
    for i in range(count):
        batch.append(Deadline(incident=incident, step_key=f"later-{i}", name="Later step",
                              due_at=now + timedelta(days=2, seconds=i * 17)))
        if len(batch) == 5000:
            Deadline.objects.bulk_create(batch)
            batch = []
    Deadline.objects.bulk_create(batch)


def seed_due(incident, due_ats: list[datetime], prefix: str, *, per_transaction: int = 200) -> list[int]:
    """Deadlines as the playbook creates them: bulk insert, ETA timers for near ones, NOTIFY at commit."""
    from django.db import transaction

    from crisis.models import Deadline
    from crisis.timers.scheduling import deadlines_schedule

    ids = []
    for start in range(0, len(due_ats), per_transaction):
        with transaction.atomic():
            rows = Deadline.objects.bulk_create(
                Deadline(incident=incident, step_key=f"{prefix}-{start + i}", name="Bench step", due_at=due)
                for i, due in enumerate(due_ats[start:start + per_transaction]))
            deadlines_schedule(deadlines=rows)
        ids += [d.pk for d in rows]
    return ids


def latencies(ids: list[int]) -> list[float]:
    from crisis.models import Breach

    rows = Breach.objects.filter(deadline_id__in=ids).values_list("breached_at", "recorded_at")
    return sorted((recorded - due).total_seconds() * 1000 for due, recorded in rows)


class Observer(threading.Thread):
    """Notes when breaches become visible to another session (i.e. committed), every 5 ms.

    Breaches do not commit in id order (a sweeper's batch of 1,000 and a timer's handful commit at the same
    moment), so "ids above the last one seen" would miss a batch that commits after a later id, and the run
    would wait for it forever. It remembers the ids it has seen, as ranges, and asks for every id above
    ``since_id`` outside them: whatever commits late is still found, and each poll returns only new rows.
    """

    def __init__(self, url: str, since_id: int):
        super().__init__(daemon=True)
        self.url, self.since_id, self.seen, self.stop = url, since_id, {}, threading.Event()
        self.seen_ids: set[int] = set()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as db:
            while not self.stop.is_set():
                low, high = id_ranges(self.seen_ids)
                rows = db.execute(
                    "SELECT b.id, b.deadline_id, d.due_at, clock_timestamp() FROM crisis_breach b "
                    "JOIN crisis_deadline d ON d.id = b.deadline_id WHERE b.id > %s AND NOT EXISTS ("
                    "SELECT 1 FROM unnest(%s::bigint[], %s::bigint[]) AS seen(low, high) "
                    "WHERE b.id BETWEEN seen.low AND seen.high)", [self.since_id, low, high]).fetchall()
                for pk, deadline_id, due, seen_at in rows:
                    self.seen_ids.add(pk)
                    self.seen[deadline_id] = (due, seen_at)
                time.sleep(0.005)


def id_ranges(ids: set[int]) -> tuple[list[int], list[int]]:
    """{1, 2, 3, 7, 8} -> ([1, 7], [3, 8]): the first and last id of each run."""
    low: list[int] = []
    high: list[int] = []
    for pk in sorted(ids):
        if high and pk == high[-1] + 1:
            high[-1] = pk
        else:
            low.append(pk)
            high.append(pk)
    return low, high


def last_breach_id() -> int:
    from crisis.models import Breach

    return Breach.objects.order_by("-id").values_list("id", flat=True).first() or 0


def breached_count(ids: list[int]) -> int:
    from crisis.models import Deadline

    return Deadline.objects.filter(pk__in=ids, state="breached").count()


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)

    return {"n": len(values), "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": round(ordered[-1], 1),
            "mean_ms": round(statistics.fmean(ordered), 1)}


# Idle cost


def backend_pids(dbname: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname])
        return [r[0] for r in cursor.fetchall()]


def xact_commits(dbname: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [dbname])
        return cursor.fetchone()[0]


def idle_cost(dbname: str, pids: list[int], seconds: float) -> dict:
    backends = backend_pids(dbname)
    cpu0, db0, xact0, t0 = process_tree_cpu(pids), process_tree_cpu(backends), xact_commits(dbname), time.monotonic()
    time.sleep(seconds)  # measuring an idle period: the wait is the measurement
    cpu1, db1, xact1, t1 = process_tree_cpu(pids), process_tree_cpu(backends), xact_commits(dbname), time.monotonic()
    elapsed = t1 - t0
    # Our own two stats queries add two transactions at each end; take them out.
    return {"seconds": round(elapsed, 1), "cpu_pct_of_one_core": round(100 * (cpu1 - cpu0) / elapsed, 2),
            "postgres_backends_cpu_pct": round(100 * (db1 - db0) / elapsed, 2),
            "transactions_per_s": round(max(0, xact1 - xact0 - 3) / elapsed, 2)}


# Scenarios


def dispatch_latencies(ids: list[int]) -> dict:
    """Breach -> dispatched (the outbox row marked by the dispatch task, its pages opened), once all are."""
    from crisis.models import Breach

    rows = Breach.objects.filter(deadline_id__in=ids)
    wait_for(lambda: not rows.filter(dispatched_at__isnull=True).exists(), timeout=120, interval=0.2,
             what="every breach to be dispatched")
    return summary([(dispatched - recorded).total_seconds() * 1000
                    for recorded, dispatched in rows.values_list("recorded_at", "dispatched_at")])


def scenario_steady(incident, size: dict, lead: float = 3.0, tag: str = "steady") -> dict:
    now = datetime.now(UTC)
    n, window = size["steady"], size["steady_window"]
    due = [now + timedelta(seconds=lead + window * i / n) for i in range(n)]
    ids = seed_due(incident, due, tag)
    wait_for(lambda: breached_count(ids) == n, timeout=lead + window + 30, interval=0.5, what="steady breaches")
    return summary(latencies(ids)) | {"dispatched": dispatch_latencies(ids)}


def scenario_burst(incident, size: dict, url: str, lead: float = 15.0, tag: str = "burst") -> dict:
    n = size["burst"]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead)
    due = [start + timedelta(microseconds=int(1_000_000 * i / n)) for i in range(n)]
    ids = seed_due(incident, due, tag, per_transaction=500)
    observer = Observer(url, last_breach_id())
    observer.start()
    wait_for(lambda: breached_count(ids) == n, timeout=lead + 60, interval=0.2, what="burst breaches")
    wait_for(lambda: len(observer.seen) >= n, timeout=10, what="the observer to see every breach")
    observer.stop.set()
    observer.join()
    second_end = start + timedelta(seconds=1)
    visible = [observer.seen[pk] for pk in ids]
    # The due times fill one second; how long after that second ended the last breach became visible.
    last_after_second = (max(seen for _due, seen in visible) - second_end).total_seconds()
    return {"flagged": breached_count(ids), "of": n, "recorded": summary(latencies(ids)),
            "visible": summary([(seen - due).total_seconds() * 1000 for due, seen in visible]),
            "last_visible_after_due_second_s": round(last_after_second, 3), "second_ends": second_end.isoformat(),
            "dispatched": dispatch_latencies(ids)}


def scenario_fault(stack: EngineStack, incident, size: dict, url: str) -> dict:
    """Engine SIGKILLed and Redis restarted (ETA timers lost) while deadlines fall due; then recovery."""
    n = size["fault"]
    now = datetime.now(UTC)
    due = [now + timedelta(seconds=2 + 3 * i / n) for i in range(n)]
    ids = seed_due(incident, due, "fault")
    stack.kill("engine")
    stack.redis_kill()
    stack.redis_start()  # same port, empty
    wait_for(lambda: datetime.now(UTC) > due[-1] + timedelta(seconds=1), timeout=30, what="the outage to pass")
    during = breached_count(ids)
    observer = Observer(url, last_breach_id())
    observer.start()
    restarted = time.monotonic()
    managed = stack.engine_start("engine-after-fault", max_sleep=30.0, wait=False)
    # The banner is printed before the first sweep, so "ready" always precedes the breaches.
    wait_for(lambda: "deadline engine running" in managed.text(), timeout=30, interval=0.005, what="the engine")
    ready = time.monotonic() - restarted
    wait_for(lambda: breached_count(ids) == n, timeout=60, interval=0.01, what="recovery")
    flagged = time.monotonic() - restarted
    wait_for(lambda: len(observer.seen) >= n - during, timeout=10, what="the observer")
    observer.stop.set()
    observer.join()
    return {"due_during_outage": n, "flagged_during_outage": during, "engine_start_s": round(ready, 3),
            "all_flagged_s_after_restart_command": round(flagged, 3),
            "all_flagged_s_after_engine_ready": round(flagged - ready, 3),
            "visible_after_due": summary([(seen - due).total_seconds() * 1000
                                          for k, (due, seen) in observer.seen.items() if k in set(ids)])}


def scenario_redis_restart(stack: EngineStack, incident, size: dict) -> dict:
    n = size["fault"]
    now = datetime.now(UTC)
    due = [now + timedelta(seconds=2 + 3 * i / n) for i in range(n)]
    ids = seed_due(incident, due, "redis")
    stack.redis_kill()
    stack.redis_start()
    wait_for(lambda: breached_count(ids) == n, timeout=30, interval=0.1, what="breaches after a Redis restart")
    return summary(latencies(ids))


def baseline(url: str, incident, size: dict, dbname: str, workdir: Path) -> dict:
    log = open(workdir / "baseline.log", "wb")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen([PYTHON, "-c", BASELINE_LOOP, url], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for(lambda: b"baseline polling" in (workdir / "baseline.log").read_bytes(), timeout=15)
        from crisis.models import Deadline

        now = datetime.now(UTC)
        n, window = size["steady"], size["steady_window"]
        rows = Deadline.objects.bulk_create(
            Deadline(incident=incident, step_key=f"base-steady-{i}", name="Bench step",
                     due_at=now + timedelta(seconds=2 + window * i / n)) for i in range(n))
        ids = [d.pk for d in rows]
        wait_for(lambda: breached_count(ids) == n, timeout=window + 30, interval=0.5, what="baseline steady")
        steady = summary(baseline_latencies(ids))

        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        nb = size["burst"]
        rows = Deadline.objects.bulk_create(
            Deadline(incident=incident, step_key=f"base-burst-{i}", name="Bench step",
                     due_at=start + timedelta(microseconds=int(1_000_000 * i / nb))) for i in range(nb))
        ids = [d.pk for d in rows]
        wait_for(lambda: breached_count(ids) == nb, timeout=30, interval=0.2, what="baseline burst")
        last = max(Deadline.objects.filter(pk__in=ids).values_list("breached_at", flat=True))
        burst = {"flagged": breached_count(ids), "of": nb, "recorded": summary(baseline_latencies(ids)),
                 "last_visible_after_due_second_s": round((last - start - timedelta(seconds=1)).total_seconds(), 3)}
        idle = idle_cost(dbname, [proc.pid], size["idle"])
        return {"steady": steady, "burst": burst, "idle": idle}
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log.close()


def baseline_latencies(ids: list[int]) -> list[float]:
    from crisis.models import Deadline

    rows = Deadline.objects.filter(pk__in=ids).values_list("due_at", "breached_at")
    return sorted((breached - due).total_seconds() * 1000 for due, breached in rows)


# Report


def table(results: dict) -> str:
    e, b = results["engine"], results["baseline"]
    rows = [
        ("steady: p50 due->breach (ms)", e["steady"].get("p50_ms"), b["steady"].get("p50_ms"), "<= 5"),
        ("steady: p99 due->breach (ms)", e["steady"].get("p99_ms"), b["steady"].get("p99_ms"), "<= 50"),
        ("steady: max (ms)", e["steady"].get("max_ms"), b["steady"].get("max_ms"), ""),
        ("steady: breach->dispatched p50 / p99 (ms)", dispatched(e["steady"]), "n/a", "p99 <= 1000"),
        ("burst: flagged", f'{e["burst"]["flagged"]}/{e["burst"]["of"]}',
         f'{b["burst"]["flagged"]}/{b["burst"]["of"]}', "all"),
        ("burst: last flagged after its second (s)", e["burst"]["last_visible_after_due_second_s"],
         b["burst"]["last_visible_after_due_second_s"], "<= 1"),
        ("burst: breach->dispatched p50 / p99 (ms)", dispatched(e["burst"]), "n/a", "p99 <= 1000"),
        ("fault: flagged during outage", f'{e["fault"]["flagged_during_outage"]}/{e["fault"]["due_during_outage"]}',
         "n/a", ""),
        ("fault: all flagged after restart (s)", e["fault"]["all_flagged_s_after_restart_command"], "n/a", "<= 2"),
        ("fault: ... of which engine start-up (s)", e["fault"]["engine_start_s"], "n/a", ""),
        ("redis restart: p99 due->breach (ms)", e["redis_restart"].get("p99_ms"), "n/a", ""),
        ("idle: CPU, engine+workers (% of a core)", e["idle"]["cpu_pct_of_one_core"],
         b["idle"]["cpu_pct_of_one_core"], "< 2"),
        ("idle: CPU, their PG backends (%)", e["idle"]["postgres_backends_cpu_pct"],
         b["idle"]["postgres_backends_cpu_pct"], ""),
        ("idle: transactions/s", e["idle"]["transactions_per_s"], b["idle"]["transactions_per_s"], "no storm"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f'{"metric":<{width}}  {"engine":>12}  {"1 s poll":>12}  target', "-" * (width + 40)]
    lines += [f"{name:<{width}}  {str(a):>12}  {str(bb):>12}  {t}" for name, a, bb, t in rows]
    lines += ["", f'Timer designs in this run (the engine above runs "{results["engine"]["default_design"]}"):']
    design_rows = [("design", "steady p50 / p99 (ms)", "steady dispatched p50 / p99", "burst last after (s)",
                    "burst dispatched p50 / p99")]
    for name, d in results["engine"]["designs"].items():
        design_rows.append((name, f'{d["steady"].get("p50_ms")} / {d["steady"].get("p99_ms")}', dispatched(d["steady"]),
                            str(d["burst"]["last_visible_after_due_second_s"]), dispatched(d["burst"])))
    widths = [max(len(r[i]) for r in design_rows) for i in range(len(design_rows[0]))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in design_rows]
    return "\n".join(lines)


def dispatched(scenario: dict) -> str:
    d = scenario.get("dispatched") or {}
    return f'{d.get("p50_ms")} / {d.get("p99_ms")}' if d.get("n") else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (about two minutes)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "engine.json"))
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    dbname = f"bench_engine_{os.getpid()}"
    workdir = ROOT / "var" / dbname
    workdir.mkdir(parents=True, exist_ok=True)
    load_before = [round(x, 2) for x in os.getloadavg()]
    print(f"creating {dbname} and migrating ... (load average {load_before})", flush=True)
    url = database_create(dbname)
    stack = EngineStack(workdir=workdir, database_url=url, queue=f"bench-{os.getpid()}")
    try:
        stack.redis_start()
        os.environ.update(settings_env(url))
        os.environ.update({"CELERY_BROKER_URL": stack.redis_url, "REDIS_URL": stack.redis_url,
                           "GOLDEN_HOURS_QUEUE_PREFIX": stack.queue,
                           "GOLDEN_HOURS_SEND_TIMERS": "1"})
        stack.extra_env.update(settings_env(url))
        stack.extra_env["GOLDEN_HOURS_RELAY_AFTER"] = "5"
        stack.clock_set(0)
        import django

        django.setup()
        results = run(stack, size, url, dbname, workdir)
    finally:
        stack.stop_all()
        from django.db import connections

        connections.close_all()
        database_drop(dbname)
    results["machine"] = machine()
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["quick"] = args.quick
    results["load_average_at_start"] = load_before
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    print()
    print(table(results))
    print(f"\nJSON: {args.json}")


def run(stack: EngineStack, size: dict, url: str, dbname: str, workdir: Path) -> dict:
    from crisis.models import Incident, Organization

    org = Organization.objects.create(name="Bench", slug="bench")
    now = datetime.now(UTC)
    incident = Incident.objects.create(organization=org, title="Bench", first_public_signal_at=now,
                                       detected_at=now, status="active")
    print(f"seeding {size['pending']:,} pending deadlines ...", flush=True)
    seed_pending(incident, size["pending"], now)
    for worker in WORKERS:  # the production layout (README)
        stack.worker_start(worker.name, worker=worker)
    stack.engine_start(max_sleep=30.0)  # the default a user runs
    engine = {}
    print(f"idle for {size['idle']:.0f} s ...", flush=True)
    engine["idle"] = idle_cost(dbname, [p.proc.pid for p in stack.processes.values()], size["idle"])
    from django.conf import settings

    default_horizon = settings.GOLDEN_HOURS_ETA_HORIZON
    # Both timer designs in the same run, interleaved: per-deadline Celery ETA timers, and the engine alone.
    designs: dict[str, dict] = {name: {} for name in DESIGNS}
    for scenario in ("steady", "burst"):
        for name, horizon in DESIGNS.items():
            design_use(stack, horizon)
            print(f"{scenario} ({name}): {size[scenario]} due ...", flush=True)
            designs[name][scenario] = (scenario_steady(incident, size, tag=f"steady-{name}") if scenario == "steady"
                                       else scenario_burst(incident, size, url, tag=f"burst-{name}"))
    default = design_use(stack, default_horizon)
    engine.update(designs[default])
    engine["designs"] = designs
    engine["default_design"] = default
    print("redis restart ...", flush=True)
    engine["redis_restart"] = scenario_redis_restart(stack, incident, size)
    print("fault: engine killed and timers lost ...", flush=True)
    engine["fault"] = scenario_fault(stack, incident, size, url)
    stack.stop_all()
    print("baseline: 1-second polling loop ...", flush=True)
    base = baseline(url, incident, size, dbname, workdir)
    return {"engine": engine, "baseline": base, "sizes": size}


def design_use(stack: EngineStack, horizon: int) -> str:
    """Restart the engine with this ETA horizon and create deadlines with it; returns the design's name."""
    from django.conf import settings

    settings.GOLDEN_HOURS_ETA_HORIZON = horizon
    stack.extra_env["GOLDEN_HOURS_ETA_HORIZON"] = str(horizon)
    if "engine" in stack.processes and stack.processes["engine"].alive():
        stack.kill("engine", signal.SIGTERM)
    stack.engine_start(max_sleep=30.0)
    return next((name for name, h in DESIGNS.items() if (h > 0) == (horizon > 0)), f"horizon {horizon}")


def machine() -> dict:
    return {"cpus": os.cpu_count(), "cpu": platform.processor() or cpu_model(), "python": platform.python_version(),
            "kernel": platform.release(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "postgres": postgres_version()}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def postgres_version() -> str:
    with psycopg.connect(with_dbname(server_url(), "postgres")) as db:
        return db.execute("SHOW server_version").fetchone()[0]


if __name__ == "__main__":
    main()
