"""Benchmark of the incident room on big incidents, against a small one measured in the same run.

    .venv/bin/python bench/room.py              # PostgreSQL at DATABASE_URL (default the local server)
    DATABASE_URL=sqlite:// .venv/bin/python bench/room.py
    .venv/bin/python bench/room.py --runs 5     # fewer samples

Builds, in a throwaway test database, through the services where the app would:
- a **baseline** incident with 30 timeline events;
- a **big** incident with 3,000 timeline events (people's lines, sentiment, deadline and page lines,
  some pinned, some corrected), 120 checkpoints and 10 published statements, opened 10 hours ago;
- the **demo** incidents (`crisis/demo/seed.py`, what `seed_demo` and the screenshots show), whose room has
  to answer in **under 150 ms**;
- and times opening an incident through the web form whose first public signal is **eight months
  old** (and its room afterwards).

The live room (issue 19) polls ``/incidents/<pk>/version/`` every ~1.5 s and fetches ``/panels/`` only for the
panels whose fingerprint moved; both are measured too (the version poll must stay a few milliseconds however long
the timeline, since every open room asks for it).

Server time is measured in-process with Django's test client (middleware, view, queries, template),
signed in as a commander, median of ``--runs`` after one warm-up. Targets: room < 300 ms and < 300 KB
at 3,000 events; the demo incident's room < 150 ms; opening the eight-month-old incident < 200 ms. Prints a
table and writes bench/results/room.json.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import zoneinfo
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ["GOLDEN_HOURS_SEND_TIMERS"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from crisis import clock  # noqa: E402
from crisis.demo.seed import OVERHEATING, demo_seed  # noqa: E402
from crisis.models import (  # noqa: E402
    EventKind,
    Incident,
    Membership,
    Organization,
    Role,
    SentimentCheckpoint,
    TimelineEvent,
)
from crisis.services.incidents import incident_open  # noqa: E402
from crisis.services.statements import (  # noqa: E402
    statement_approve,
    statement_create,
    statement_publish,
    statement_submit_for_review,
)

RESULTS = ROOT / "bench" / "results" / "room.json"
PEOPLE_KINDS = [EventKind.OBSERVATION, EventKind.NOTE, EventKind.DECISION, EventKind.ACTION]
BODY = "网友上传视频：列车座椅口袋里的手机冒烟，乘务员用灭火器处理。Video of a phone smoking on a train; #%d"


def _kind(n: int) -> str:
    # Roughly what a long night looks like: most lines are people's, a quarter are the system's.
    if n % 8 == 0:
        return EventKind.DEADLINE
    if n % 8 == 1:
        return EventKind.PAGE
    if n % 8 == 2:
        return EventKind.SENTIMENT
    return PEOPLE_KINDS[n % len(PEOPLE_KINDS)]


def grow_timeline(incident: Incident, actor, events: int) -> None:
    """``events`` timeline lines spread between the first public signal and now (bulk: the room only reads them)."""
    start = incident.first_public_signal_at
    span = (clock.now() - start).total_seconds()
    rows = []
    for n in range(events):
        at = start + timedelta(seconds=span * (n + 1) / (events + 1))
        kind = _kind(n)
        is_system = kind in (EventKind.DEADLINE, EventKind.PAGE)
        rows.append(TimelineEvent(incident=incident, kind=kind, occurred_at=at,
                                  recorded_at=at + timedelta(minutes=n % 50), body=BODY % n,
                                  actor=None if is_system else actor, is_pinned=n % 250 == 3))
    created = TimelineEvent.objects.bulk_create(rows, batch_size=1000)
    # One correction in 50: the room strikes the original through beside it.
    TimelineEvent.objects.bulk_create(
        [TimelineEvent(incident=incident, kind=e.kind, occurred_at=e.occurred_at, recorded_at=e.recorded_at,
                       body=e.body + " (corrected)", actor=actor, corrects=e)
         for n, e in enumerate(created) if n % 50 == 5 and e.actor_id], batch_size=1000)


def add_sentiment(incident: Incident, count: int) -> None:
    start = incident.first_public_signal_at
    SentimentCheckpoint.objects.bulk_create(
        SentimentCheckpoint(incident=incident, measured_at=start + timedelta(minutes=5 * n),
                            recorded_at=start + timedelta(minutes=5 * n + 1), source="Weibo",
                            mention_volume=1000 + (n * 37) % 9000, negative_share=round(0.2 + (n % 60) / 100, 2))
        for n in range(count))


def add_statements(incident: Incident, people: dict, count: int) -> None:
    for n in range(count):
        statement = statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                     kind="holding" if n == 0 else "update", body=f"我们已关注到相关视频。#{n}")
        statement_submit_for_review(statement=statement, actor=people["responder"])
        statement_approve(statement=statement, actor=people["approver"])
        statement_publish(statement=statement, actor=people["commander"],
                          published_at=incident.first_public_signal_at + timedelta(minutes=50 + 55 * n))


def timed(fn, runs: int) -> tuple[float, list[float], object]:
    fn()  # warm-up: templates, translations, connection
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), samples, result


def cpu_median(fn, runs: int) -> float:
    """This process's CPU time per call: what the request costs us, less sensitive than wall time to the load
    others put on a shared machine (the database server's own CPU is not in it on PostgreSQL)."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def page_measure(client: Client, url: str, runs: int) -> dict:
    median, samples, response = timed(lambda: client.get(url), runs)
    assert response.status_code == 200, (url, response.status_code)
    # The log keeps the last 9,000 queries; once full, the capture below would count none.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # now: the capture reads the connection's log lazily
    return {"median_ms": round(median, 1), "samples_ms": [round(s, 1) for s in samples],
            "cpu_ms": round(cpu_median(lambda: client.get(url), runs), 1),
            "bytes": len(response.content), "queries": query_count}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()

    # Not setup_test_environment(): it instruments every template render (a signal and a context copy per
    # include) and would add that cost to the server time measured here. The test client only needs its host.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load_before = os.getloadavg()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    results.update(database=connection.vendor, python=platform.python_version(), cpus=os.cpu_count(),
                   load_average_before=[round(x, 2) for x in load_before],
                   load_average_after=[round(x, 2) for x in os.getloadavg()])
    report(results)


def run(args) -> dict:
    org = Organization.objects.create(name="Bench", slug="bench", time_zone="Asia/Shanghai")
    people = {}
    for role in (Role.RESPONDER, Role.APPROVER, Role.COMMANDER):
        user = get_user_model().objects.create(username=f"bench-{role}", first_name=role.label)
        Membership.objects.create(user=user, organization=org, role=role)
        people[role.value] = user
    now = clock.now()

    def opened(title: str, hours: float) -> Incident:
        return incident_open(organization=org, actor=people["commander"], title=title, severity=2,
                             first_public_signal_at=now - timedelta(hours=hours), commander=people["commander"])

    small = opened("Baseline: 30 events", 2)
    grow_timeline(small, people["responder"], 30)
    big = opened(f"Big: {args.events} events", 10)
    grow_timeline(big, people["responder"], args.events)
    add_sentiment(big, 120)
    add_statements(big, people, 10)

    client = Client()
    client.force_login(people["commander"])
    demo = demo_seed(now=now)[OVERHEATING]
    demo_client = Client()
    demo_client.force_login(demo.commander)
    pages = {}
    for label, incident, who in (("small", small, client), ("big", big, client), ("demo", demo, demo_client)):
        panels = reverse("crisis:incident-panels", args=[incident.pk]) + "?" + "&".join(
            f"panel={name}" for name in ("head", "clock", "timeline", "statements", "pages", "sentiment"))
        pages[label] = {
            "room": page_measure(who, reverse("crisis:incident-room", args=[incident.pk]), args.runs),
            "timeline": page_measure(who, reverse("crisis:incident-timeline", args=[incident.pk]), args.runs),
            "clock": page_measure(who, reverse("crisis:incident-clock", args=[incident.pk]), args.runs),
            "version": page_measure(who, reverse("crisis:incident-version", args=[incident.pk]), args.runs),
            "all panels": page_measure(who, panels, args.runs),
        }
    events = {"small": small.events.count(), "big": big.events.count(), "demo": demo.events.count()}

    # Opening through the web form, as a person does: each run opens a new incident.
    signal = (now - timedelta(days=240)).astimezone(zoneinfo.ZoneInfo(org.time_zone))
    counter = iter(range(1000))

    def open_old():
        return client.post(reverse("crisis:incident-open"), {
            "title": f"Eight months ago #{next(counter)}", "severity": 2, "status": "active",
            "first_public_signal_at": signal.strftime("%Y-%m-%dT%H:%M")})

    open_ms, open_samples, response = timed(open_old, args.runs)
    assert response.status_code == 302, response.content[:2000]
    old = Incident.objects.order_by("-pk").first()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        open_old()
    open_queries = len(queries)
    old_room = page_measure(client, response["Location"], args.runs)
    return {
        "events": events,
        "pages": pages,
        "open_eight_months_old": {"median_ms": round(open_ms, 1), "samples_ms": [round(s, 1) for s in open_samples],
                                  "queries": open_queries, "deadlines": old.deadlines.count(),
                                  "passed_records": old.passed_occurrences.count(),
                                  "is_retrospective": old.is_retrospective, "room": old_room},
        "targets": {"room_ms": 300, "room_bytes": 300_000, "open_ms": 200, "demo_room_ms": 150},
    }


def report(results: dict) -> None:
    pages = results["pages"]
    print(f"database {results['database']}, load average before {results['load_average_before']}, "
          f"after {results['load_average_after']}")
    print(f"{'what':44} {'events':>7} {'median ms':>10} {'cpu ms':>7} {'KB':>8} {'queries':>8} "
          f"{'vs 30 events':>13}  target")
    for page in ("room", "timeline", "clock", "version", "all panels"):
        base = pages["small"][page]
        for label in ("small", "big", "demo"):
            row = pages[label][page]
            ratio = row["median_ms"] / base["median_ms"] if base["median_ms"] else 0
            target = ""
            if page == "room" and label == "big":
                ok = row["median_ms"] < 300 and row["bytes"] < 300_000
                target = f"< 300 ms, < 300 KB {'ok' if ok else 'MISSED'}"
            if page == "room" and label == "demo":
                target = f"< 150 ms {'ok' if row['median_ms'] < 150 else 'MISSED'}"
            print(f"{page + ' (' + label + ')':44} {results['events'][label]:7d} {row['median_ms']:10.1f} "
                  f"{row['cpu_ms']:7.1f} {row['bytes'] / 1000:8.1f} {row['queries']:8d} {ratio:12.2f}x  {target}")
    old = results["open_eight_months_old"]
    ok = "ok" if old["median_ms"] < 200 else "MISSED"
    print(f"{'open via form, signal 8 months old':44} {'':7} {old['median_ms']:10.1f} {'':7} {'':8} "
          f"{old['queries']:8d} {'':13}  < 200 ms {ok}")
    room = old["room"]
    print(f"{'  its room':44} {'':7} {room['median_ms']:10.1f} {room['cpu_ms']:7.1f} {room['bytes'] / 1000:8.1f} "
          f"{room['queries']:8d}")
    print(f"  ({old['deadlines']} deadlines, {old['passed_records']} passed-occurrence records, "
          f"retrospective: {old['is_retrospective']})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
