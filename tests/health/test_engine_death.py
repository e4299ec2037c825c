"""Who watches the watcher, with the processes users run: ``run_engine`` on PostgreSQL, a Celery worker, a private
redis-server. The engine is SIGKILLed, the shared clock file moves time on, and the desk's banner, /readyz and the
dead-man's switch notice; the auditor (``manage.py audit_deadlines``, as cron runs it) breaches what fell due, and
when the engine comes back at the same moment as the auditor each deadline is still breached exactly once."""

import json
import subprocess
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from crisis import clock
from crisis.health.heartbeat import CACHE_KEY
from crisis.models import EngineHeartbeat, EventKind, Role, TimelineEvent
from tests.factories import IncidentFactory
from tests.timers.outcomes import (
    all_breached,
    assert_breached_exactly_once,
    assert_never_breached,
    deadlines_seed,
    ids_of,
)
from tests.timers.processes import PYTHON, ROOT, EngineStack, celery_producer, database_url, wait_for

from .pingserver import PingServer

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="runs run_engine as users do, on PostgreSQL: set DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]

STALE_AFTER = 60


@pytest.fixture
def pings():
    with PingServer() as server:
        yield server


@pytest.fixture
def stack(transactional_db, tmp_path, monkeypatch, settings, pings):
    stack = EngineStack(workdir=tmp_path, database_url=database_url(connection.settings_dict))
    stack.clock_set(0)
    monkeypatch.setenv("GOLDEN_HOURS_CLOCK_FILE", str(stack.clock_file))  # this process reads the same clock
    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = STALE_AFTER
    settings.GOLDEN_HOURS_READY_TIMEOUT = 1.0
    stack.extra_env.update({
        "GOLDEN_HOURS_ENGINE_STALE_AFTER": str(STALE_AFTER),
        "GOLDEN_HOURS_DEADMAN_URL": pings.url,
        "GOLDEN_HOURS_DEADMAN_INTERNAL": "1",  # the stand-in monitor listens on 127.0.0.1
        "GOLDEN_HOURS_DEADMAN_EVERY": "0.2",
        "GOLDEN_HOURS_AUDIT_MARGIN": "120",
    })
    try:
        stack.redis_start()
        with celery_producer(stack.redis_url, stack.queue):
            yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def desk(client_for, people):
    return client_for(people[Role.COMMANDER])


def banner_shown(desk) -> bool:
    cache.delete(CACHE_KEY)
    return 'id="engine-banner"' in desk.get(reverse("crisis:home")).content.decode()


def readiness(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)["checks"]


def audit(stack: EngineStack) -> str:
    out = subprocess.run([PYTHON, "manage.py", "audit_deadlines"], cwd=ROOT, env=stack.env(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout + out.stderr


def heartbeat_fresh() -> bool:
    return EngineHeartbeat.objects.filter(swept_at__gte=clock.now() - timedelta(seconds=10)).exists()


def test_it_notices_a_killed_engine_and_the_auditor_breaches_what_fell_due(stack, desk, client, pings):
    stack.worker_start()
    stack.engine_start()
    wait_for(heartbeat_fresh, what="the engine's first heartbeat")
    wait_for(lambda: pings.pings, what="the first dead-man's-switch ping")
    assert not banner_shown(desk)
    status, checks = readiness(client)
    assert status == 200, checks

    incident = IncidentFactory()
    due = deadlines_seed(incident, [clock.now() + timedelta(seconds=30 + i) for i in range(3)], send_timers=False)
    stack.kill("engine")  # SIGKILL: no goodbye, the heartbeat just stops
    pinged = len(pings.pings)
    stack.clock_set(600)  # ten minutes pass for every process

    assert banner_shown(desk)
    status, checks = readiness(client)
    assert status == 503
    assert checks["engine"]["ok"] is False
    assert checks["engine"]["detail"].startswith("no engine has swept for")
    assert all(checks[name]["ok"] for name in ("database", "broker", "worker"))
    assert_never_breached(ids_of(due))  # nothing else breaches them: no engine, no timers

    output = audit(stack)
    assert "auditor caught 3 deadline(s)" in output
    assert all(f"auditor caught deadline {d.pk} of incident {incident.pk}" in output for d in due)
    assert_breached_exactly_once(ids_of(due))
    notes = TimelineEvent.objects.filter(incident=incident, kind=EventKind.NOTE, metadata__caught_by="auditor")
    assert sorted(notes.values_list("metadata__deadline_id", flat=True)) == sorted(ids_of(due))
    assert len(pings.pings) == pinged  # the outside monitor heard nothing since the kill: it pages

    stack.engine_start(name="engine-again")
    wait_for(heartbeat_fresh, what="the restarted engine's heartbeat")
    assert not banner_shown(desk)
    assert readiness(client)[0] == 200
    wait_for(lambda: len(pings.pings) > pinged, what="the pings to resume")


def test_it_breaches_each_deadline_once_when_the_engine_comes_back_as_the_auditor_runs(stack):
    stack.engine_start()
    wait_for(heartbeat_fresh, what="the engine's first heartbeat")
    incident = IncidentFactory()
    due = deadlines_seed(incident, [clock.now() + timedelta(seconds=30)] * 300, send_timers=False)
    stack.kill("engine")
    stack.clock_set(600)

    # Both at once: the engine's first sweep and the auditor's pass go for the same 300 rows.
    stack.engine_start(name="engine-again", wait=False)
    output = audit(stack)
    wait_for(lambda: all_breached(ids_of(due)), timeout=60, what="every deadline to be breached")

    assert_breached_exactly_once(ids_of(due))
    caught = TimelineEvent.objects.filter(incident=incident, kind=EventKind.NOTE, metadata__caught_by="auditor")
    caught_ids = list(caught.values_list("metadata__deadline_id", flat=True))
    # Either may win a row (SKIP LOCKED hands each to whoever locks it first; runs here went 0/300 and 300/300);
    # whichever loses finds it locked or no longer pending, so the sum is every deadline, once.
    assert len(caught_ids) == len(set(caught_ids))  # a catch is reported once
    assert f"auditor caught {len(caught_ids)} deadline(s)" in output
