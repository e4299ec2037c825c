"""API throughput under gunicorn (2 sync workers) on PostgreSQL.

Measures, in one run against one database:
  * requests/s of logging a timeline event through POST /api/v1/incidents/{id}/events/ (token auth,
    validation, role check, audit row), against two baselines in bench/api_urls.py: a bare Django view
    that inserts the same row, and a view that sends the same SQL statements as the API with no framework
    (the ceiling for any implementation of the API's rules: API / that is the framework's own cost);
  * latency of ingesting 1,000 sentiment points in one POST .../checkpoints/bulk/.

Usage:  .venv/bin/python bench/api.py [--requests 1500] [--clients 4] [--rounds 3]
Needs PostgreSQL (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432); makes and drops a
throwaway database. Prints a table and writes bench/results/api.json.
"""

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "api.json"
SETTINGS = "bench.api_settings"
TARGET_RATIO = 0.6
TARGET_BULK_MS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def database_create(name: str) -> str:
    import psycopg

    parsed = urlparse(server_url())
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def database_drop(name: str) -> None:
    import psycopg

    admin = urlparse(server_url())._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fixtures() -> dict:
    """An organization, a responder with a token, an open incident; made through the services."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from crisis.api.tokens import api_token_create
    from crisis.models import Membership, Organization, Role
    from crisis.services.incidents import incident_open

    org = Organization.objects.create(name="Bench Motors", slug="bench-motors")
    user = get_user_model().objects.create_user("bench-responder")
    Membership.objects.create(user=user, organization=org, role=Role.RESPONDER)
    incident = incident_open(organization=org, actor=user, title="Door will not open after crash",
                             first_public_signal_at=datetime.now(UTC) - timedelta(minutes=30), severity=1)
    _token, raw = api_token_create(user=user, name="bench", scopes=["read", "write"])
    return {"incident_id": incident.pk, "token": raw}


def wait_for(port: int, deadline_s: float = 30) -> None:
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def post(port: int, path: str, body: bytes, headers: dict) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def hammer(port: int, path: str, headers: dict, *, requests: int, clients: int) -> dict:
    """``requests`` POSTs spread over ``clients`` threads; requests/s over the wall time."""
    body = json.dumps({"kind": "observation", "body": "Repost by a 2M-follower account; comments turning angry"})
    per_client = requests // clients
    statuses: list[int] = []
    lock = threading.Lock()

    def run():
        mine = [post(port, path, body.encode(), headers)[0] for _ in range(per_client)]
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    bad = [s for s in statuses if s != 201]
    if bad:
        raise RuntimeError(f"{path}: {len(bad)} requests failed, e.g. HTTP {bad[0]}")
    return {"requests": len(statuses), "seconds": round(elapsed, 3), "rps": round(len(statuses) / elapsed, 1)}


def bulk_points(n: int, start: datetime) -> bytes:
    """``n`` points 200 ms apart from ``start``: each request carries the next stretch of the series, as a
    listening tool's would (re-sending the same stretch would make every request re-read all the others)."""
    points = [{"measured_at": (start + timedelta(milliseconds=200 * i)).isoformat(), "source": "Weibo",
               "mention_volume": 1000 + i, "negative_share": 0.62, "neutral_share": 0.3, "positive_share": 0.08,
               "trending_rank": 4} for i in range(n)]
    return json.dumps({"points": points}).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--rounds", type=int, default=3, help="alternating API/bare rounds; the median counts")
    parser.add_argument("--bulk-repeats", type=int, default=7)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    dbname = f"bench_api_{os.getpid()}"  # not `name`: the contender loops below rebind that
    os.environ["DATABASE_URL"] = database_create(dbname)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        world = fixtures()
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning"], cwd=ROOT, env=env,
        )
        wait_for(port)
        auth = {"Authorization": f"Bearer {world['token']}"}
        api_path = f"/api/v1/incidents/{world['incident_id']}/events/"
        bare_path = f"/bare/incidents/{world['incident_id']}/events/"
        same_path = f"/same-statements/incidents/{world['incident_id']}/events/"
        contenders = {"api": (api_path, auth), "bare": (bare_path, {}), "same_statements": (same_path, auth)}
        warm = max(args.clients * 25, 100)
        for path, headers in contenders.values():
            hammer(port, path, headers, requests=warm, clients=args.clients)

        runs: dict[str, list[dict]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, (path, headers) in contenders.items():
                runs[name].append(hammer(port, path, headers, requests=args.requests, clients=args.clients))
        api_rps, bare_rps, same_rps = (statistics.median(r["rps"] for r in runs[name]) for name in contenders)

        bulk_path = f"/api/v1/incidents/{world['incident_id']}/checkpoints/bulk/"
        bulk_ms = []
        series_start = datetime.now(UTC) - timedelta(seconds=args.bulk_repeats * 200 + 60)
        for repeat in range(args.bulk_repeats):
            body = bulk_points(1000, series_start + timedelta(seconds=repeat * 200))
            status, seconds = post(port, bulk_path, body, auth)
            if status != 201:
                raise RuntimeError(f"bulk ingest answered HTTP {status}")
            bulk_ms.append(round(seconds * 1000, 1))
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        database_drop(dbname)

    ratio = api_rps / bare_rps
    bulk_median = statistics.median(bulk_ms)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "setup": {"server": "gunicorn, 2 sync workers", "database": "PostgreSQL", "clients": args.clients,
                  "requests_per_round": args.requests, "rounds": args.rounds},
        "log_event": {"api_rps": api_rps, "bare_rps": bare_rps, "same_statements_rps": same_rps,
                      "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO,
                      "same_statements_over_bare": round(same_rps / bare_rps, 3),
                      "api_over_same_statements": round(api_rps / same_rps, 3),
                      "runs": runs},
        "bulk_ingest_1000": {"median_ms": bulk_median, "max_ms": max(bulk_ms), "runs_ms": bulk_ms,
                             "target_ms": TARGET_BULK_MS},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")

    rows = [
        ("log event via API (req/s)", f"{api_rps:.0f}", ""),
        ("log event via bare view (req/s)", f"{bare_rps:.0f}", ""),
        ("log event, API's SQL without framework (req/s)", f"{same_rps:.0f}", ""),
        ("API / bare", f"{ratio:.2f}", f">= {TARGET_RATIO}"),
        ("API's SQL without framework / bare", f"{same_rps / bare_rps:.2f}", "(ceiling of API / bare)"),
        ("API / API's SQL without framework", f"{api_rps / same_rps:.2f}", ""),
        ("bulk ingest 1,000 points, median (ms)", f"{bulk_median:.0f}", f"< {TARGET_BULK_MS}"),
        ("bulk ingest 1,000 points, worst (ms)", f"{max(bulk_ms):.0f}", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>8}  target")
    for label, value, target in rows:
        print(f"{label:<{width}}  {value:>8}  {target}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
