"""Paging latency: from the commit of a breach to a local webhook receiving the page.

N deadlines fall due at once (default 200, one incident each). One sweep breaches them all in one
transaction; the clock starts when that transaction commits. Celery workers (a private Redis, a
private queue) run breach_dispatch (page + escalation deadline + delivery rows) and then
delivery_send (signed webhook POST) to an http.server receiver on 127.0.0.1. The latency of a
breach is the receiver's arrival time minus the commit time, on this machine's one clock.

Needs PostgreSQL (DATABASE_URL); a throwaway database is created and dropped.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/paging.py
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P99_MS = 500.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def database_create(base_url: str) -> tuple[str, str]:
    import psycopg

    parts = urlsplit(base_url)
    name = f"golden_hours_bench_paging_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin, urlunsplit(parts._replace(path=f"/{name}"))


def database_drop(admin_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_world(receiver_url: str, count: int):
    from crisis.models import Incident, Organization, Role
    from crisis.oncall.models import ContactKind, ContactMethod, TargetKind
    from tests.factories import member
    from tests.oncall.factories import policy_with

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}", time_zone="Asia/Shanghai")
    responder = member(org, Role.RESPONDER)
    ContactMethod.objects.create(user=responder, kind=ContactKind.WEBHOOK, target=receiver_url, secret="bench",
                                 reaches_internal_network=True)
    policy_with(org, [{"target_kind": TargetKind.USER, "user": responder, "wait_seconds": 300}])
    from crisis import clock

    now = clock.now()
    incidents = Incident.objects.bulk_create(
        Incident(organization=org, title=f"Bench incident {i}", first_public_signal_at=now, detected_at=now)
        for i in range(count))
    return org, incidents


def run_round(incidents, receiver, count: int, timeout: float) -> dict:
    from django.db import transaction

    from crisis import clock
    from crisis.models import Deadline
    from crisis.timers.sweeper import deadlines_breach_due

    due = clock.now()
    tag = uuid.uuid4().hex[:6]
    Deadline.objects.bulk_create(Deadline(incident=i, step_key=f"bench-{tag}", name=f"Bench step {tag}", due_at=due)
                                 for i in incidents[:count])
    before = len(receiver.requests)
    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))  # first callback: right after COMMIT
        breached = deadlines_breach_due(now=clock.now())
    assert breached == count, breached
    deadline = time.monotonic() + timeout
    while len(receiver.requests) - before < count and time.monotonic() < deadline:
        time.sleep(0.01)
    from crisis.oncall.models import Delivery

    # The receiver can answer before the worker records the attempt; wait for the records too.
    while (Delivery.objects.filter(page__deadline__step_key=f"bench-{tag}", status="sent").count() < count
           and time.monotonic() < deadline):
        time.sleep(0.01)
    arrivals = [r.at for r in receiver.requests[before:]]
    latencies = [(a - committed[0]) * 1000 for a in arrivals]
    # Where the time goes: the breach is dispatched (its page opened), then its message is sent.
    from crisis.models import Breach

    opened = [(t.timestamp() - committed[0]) * 1000 for t in Breach.objects.filter(
        deadline__step_key=f"bench-{tag}").values_list("dispatched_at", flat=True)]
    from crisis.oncall.models import DeliveryAttempt

    sending = [(t.timestamp() - committed[0]) * 1000 for t in DeliveryAttempt.objects.filter(
        delivery__page__deadline__step_key=f"bench-{tag}", number=1).values_list("started_at", flat=True)]
    return {
        "dispatched_p99_ms": round(percentile(opened, 99), 1) if opened else None,
        "sending_p99_ms": round(percentile(sending, 99), 1) if sending else None,
        "breaches": count, "received": len(arrivals), "p50_ms": round(percentile(latencies, 50), 1),
        "p90_ms": round(percentile(latencies, 90), 1), "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1), "mean_ms": round(statistics.mean(latencies), 1),
    }


def baseline_round(receiver, count: int, threads: int) -> dict:
    """The floor on this machine: the same number of POSTs straight from here (no database, no queue)."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    body = json.dumps({"type": "page", "page": {"title": "x" * 80}, "ack_url": "http://x/" + "a" * 120}).encode()
    before = len(receiver.requests)

    def post(n: int) -> None:
        request = urllib.request.Request(receiver.url, data=body, method="POST",  # noqa: S310
                                         headers={"Content-Type": "application/json", "Idempotency-Key": f"b{n}"})
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    started = time.time()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(post, range(count)))
    latencies = [(r.at - started) * 1000 for r in receiver.requests[before:]]
    return {"p50_ms": round(percentile(latencies, 50), 1), "p99_ms": round(percentile(latencies, 99), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breaches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork"])
    parser.add_argument("--concurrency", type=int, default=16, help="per worker")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "paging.json"))
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        print("bench/paging.py needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    admin_url, db_url = database_create(base_url)
    workdir = Path(tempfile.mkdtemp(prefix="golden-hours-paging-"))
    from tests.oncall.processes import PagingStack
    from tests.oncall.receiver import Receiver

    stack = PagingStack(workdir, db_url)
    receiver = Receiver().start()
    try:
        stack.redis_start()
        os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                           "CELERY_BROKER_URL": stack.redis_url, "CELERY_TASK_DEFAULT_QUEUE": stack.queue,
                           "GOLDEN_HOURS_SEND_TIMERS": "1", "GOLDEN_HOURS_RELAY_AFTER": "30"})
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _org, incidents = setup_world(receiver.url, args.breaches)
        for n in range(args.workers):
            stack.worker_start(f"worker{n}", concurrency=args.concurrency, pool=args.pool)
        run_round(incidents, receiver, min(10, args.breaches), args.timeout)  # warm-up: connections, imports
        rounds = [run_round(incidents, receiver, args.breaches, args.timeout) for _ in range(args.rounds)]
        baseline = baseline_round(receiver, args.breaches, threads=8)
    finally:
        receiver.stop()
        stack.stop_all()
        from django.db import connections

        connections.close_all()
        database_drop(admin_url, db_url)

    header = (f"{'round':>5} {'breaches':>8} {'received':>8} {'dispatched p99':>14} {'sending p99':>11} "
              f"{'p50 ms':>8} {'p90 ms':>8} "
              f"{'p99 ms':>8} {'max ms':>8}")
    print(header)
    for n, r in enumerate(rounds, 1):
        print(f"{n:>5} {r['breaches']:>8} {r['received']:>8} {r['dispatched_p99_ms']!s:>14} "
              f"{r['sending_p99_ms']!s:>11} {r['p50_ms']:>8} {r['p90_ms']:>8} {r['p99_ms']:>8} "
              f"{r['max_ms']:>8}")
    print(f"{'floor':>5} {args.breaches:>8} {'':>8} {'':>14} {'':>11} {baseline['p50_ms']:>8} {'':>8} "
          f"{baseline['p99_ms']:>8}   (the same POSTs sent straight from this process, 8 threads)")
    worst = max(r["p99_ms"] for r in rounds)
    verdict = "PASS" if worst <= TARGET_P99_MS and all(r["received"] == r["breaches"] for r in rounds) else "FAIL"
    print(f"worst p99 {worst} ms (target <= {TARGET_P99_MS:.0f} ms): {verdict}")
    result = {"benchmark": "paging", "target_p99_ms": TARGET_P99_MS, "worst_p99_ms": worst, "verdict": verdict,
              "config": {"breaches": args.breaches, "workers": args.workers, "pool": args.pool,
                         "concurrency": args.concurrency, "cpus": os.cpu_count()},
              "rounds": rounds, "floor_direct_posts": baseline}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
