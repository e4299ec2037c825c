"""The backup and restore procedure of docs/deploy.md, run for real: pg_dump a live database, restore it into a new
one, and the engine breaches (exactly once) every deadline that fell due while the desk was down."""

import json
import os
import subprocess
from datetime import datetime

import psycopg
import pytest
from django.conf import settings as django_settings

from tests.conftest import ROOT
from tests.timers.processes import PYTHON
from tests.timers.throwaway_postgres import ThrowawayCluster, postgres_bin

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

# It brings its own cluster, but belongs with the PostgreSQL pass, like the other fault suites that do.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="backup and restore are PostgreSQL's (pg_dump, pg_restore): "
                                               "set DATABASE_URL=postgres://..."),
]

# Opened through the service, as the desk does: the golden-hours playbook's deadlines fall due from 15 minutes on.
OPEN = """
import json
from django.utils import timezone
from crisis.models import Role
from crisis.services.incidents import incident_open
from tests.factories import OrganizationFactory, member
org = OrganizationFactory()
incident = incident_open(organization=org, actor=member(org, Role.RESPONDER), title="Phone smoking on a train",
                         first_public_signal_at=timezone.now(), severity=2)
print(json.dumps({"incident": incident.pk,
                  "deadlines": {d.pk: d.due_at.isoformat() for d in incident.deadlines.all()}}))
"""

# One pass of the engine's sweep (run_engine's tick), at the clock the restored desk comes back at.
SWEEP = """
import json
from crisis import clock
from crisis.timers.sweeper import deadlines_breach_due
now = clock.now()
print(json.dumps({"now": now.isoformat(), "breached": deadlines_breach_due(now=now)}))
"""

BACK_AFTER_SECONDS = 90 * 60  # the desk is restored an hour and a half after the backup


@pytest.fixture
def cluster():
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, pg_dump) under /usr/lib/postgresql/*/bin")
    cluster = ThrowawayCluster.create()
    cluster.dbname = "golden_hours"
    try:
        cluster.start()
        cluster.migrate()
        yield cluster
    finally:
        cluster.destroy()


def manage_shell(url: str, script: str, *, clock_file=None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url,
           "GOLDEN_HOURS_SEND_TIMERS": "false",
           # No broker in this test: publishing the pages fails at once, and the outbox keeps them for the relay.
           "CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "CELERY_BROKER_CONNECTION_TIMEOUT": "0.5"}
    if clock_file is not None:
        env["GOLDEN_HOURS_CLOCK_FILE"] = str(clock_file)
    result = subprocess.run([PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_breaches_what_fell_due_while_down_exactly_once_after_a_restore(cluster, tmp_path):
    opened = manage_shell(cluster.url, OPEN)
    dump = cluster.root / "golden_hours.dump"
    host = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]

    # The procedure of docs/deploy.md ("Backup and restore"), step by step.
    cluster._run("pg_dump", *host, "--format=custom", "--file", str(dump), "golden_hours")
    cluster._run("createdb", *host, "golden_hours_restored")
    cluster._run("pg_restore", *host, "--no-owner", "--exit-on-error", "--dbname", "golden_hours_restored", str(dump))
    cluster._run("dropdb", *host, "golden_hours")  # the old server is gone: only the restored copy is left
    restored = cluster.url.rsplit("/", 1)[0] + "/golden_hours_restored"

    clock_file = tmp_path / "clock"
    clock_file.write_text(str(BACK_AFTER_SECONDS))
    first = manage_shell(restored, SWEEP, clock_file=clock_file)
    again = manage_shell(restored, SWEEP, clock_file=clock_file)  # a second engine, or the next tick

    back_at = datetime.fromisoformat(first["now"])
    due = {int(pk) for pk, at in opened["deadlines"].items() if datetime.fromisoformat(at) <= back_at}
    later = {int(pk) for pk in opened["deadlines"]} - due
    assert due and later, "the restore must fall between the deadlines for this test to say anything"
    assert (first["breached"], again["breached"]) == (len(due), 0)
    with psycopg.connect(restored, autocommit=True) as db:
        rows = db.execute("SELECT id, state, due_at FROM crisis_deadline WHERE incident_id = %s",
                          [opened["incident"]]).fetchall()
        breaches = db.execute("SELECT deadline_id, count(*) FROM crisis_breach GROUP BY deadline_id").fetchall()
        events = db.execute("SELECT (metadata->>'deadline_id')::int, count(*) FROM crisis_timelineevent "
                            "WHERE metadata->>'state' = 'breached' GROUP BY 1").fetchall()
    states = {pk: state for pk, state, _due_at in rows if pk in due | later}
    assert set(states) == due | later, "the restore kept every deadline"
    # A repeating step that slipped has its next occurrence set after the restore, not breached at once.
    rolled = [(state, due_at) for pk, state, due_at in rows if pk not in states]
    assert all(state == "pending" and due_at > back_at for state, due_at in rolled)
    assert {pk for pk, state in states.items() if state == "breached"} == due
    assert {pk for pk, state in states.items() if state == "pending"} == later
    assert dict(breaches) == dict.fromkeys(due, 1)
    assert dict(events) == dict.fromkeys(due, 1)
