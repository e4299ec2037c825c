"""/healthz and /readyz, as a load balancer sees them: each failing check turns readiness to 503 and says why."""

import json
import os
import subprocess
import time

import pytest
from django.db import connection

from crisis.health import checks
from tests.timers.processes import PYTHON, ROOT, EngineStack, celery_producer, database_url

from .beats import beat

pytestmark = pytest.mark.django_db


def db_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return database_url(connection.settings_dict)


@pytest.fixture
def stack(tmp_path, settings):
    """A private redis-server on a free port (stopped by the test or at the end) and its private queues."""
    settings.GOLDEN_HOURS_READY_TIMEOUT = 1.0
    stack = EngineStack(workdir=tmp_path, database_url=db_url())
    try:
        stack.redis_start()
        with celery_producer(stack.redis_url, stack.queue):
            yield stack
    finally:
        stack.stop_all()


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)["checks"]


def test_it_answers_healthz_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {"process": {"ok": True}}}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_it_serves_the_probes_outside_the_language_prefix_and_without_sign_in(client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code in {200, 503}, path
        assert response["Content-Type"] == "application/json"
    assert client.get("/zh-hans/healthz").status_code == 404


def test_it_refuses_a_post_to_the_probes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.slow
def test_it_is_ready_when_database_broker_engine_and_a_worker_all_answer(client, stack):
    stack.worker_start()
    beat(seconds_ago=1)
    status, found = _ready(client)
    assert status == 200, found
    assert all(check["ok"] for check in found.values())
    assert set(found) == {"database", "broker", "engine", "worker"}
    assert found["worker"]["detail"].endswith("answered")


@pytest.mark.slow
def test_it_fails_readiness_when_the_broker_is_down(client, stack, django_assert_max_num_queries):
    stack.worker_start()
    beat(seconds_ago=1)
    assert _ready(client)[0] == 200
    stack.stop_all()  # the worker and the private redis-server
    started = time.monotonic()
    with django_assert_max_num_queries(2):
        status, found = _ready(client)
    assert time.monotonic() - started < 5
    assert status == 503
    assert found["broker"]["ok"] is False
    assert found["worker"] == {"ok": False, "detail": "not checked: the broker is down", "seconds": 0.0}
    assert found["database"]["ok"] and found["engine"]["ok"]


@pytest.mark.slow
def test_it_fails_readiness_when_no_worker_answers_a_ping(client, stack):
    beat(seconds_ago=1)
    started = time.monotonic()
    status, found = _ready(client)
    assert time.monotonic() - started < 4
    assert status == 503
    assert found["broker"]["ok"] is True
    assert (found["worker"]["ok"], found["worker"]["detail"]) == (False, "no worker answered a ping")


@pytest.mark.slow
def test_it_fails_readiness_once_the_worker_is_killed(client, stack):
    stack.worker_start()
    beat(seconds_ago=1)
    assert _ready(client)[1]["worker"]["ok"] is True
    stack.kill("worker")
    status, found = _ready(client)
    assert status == 503
    assert found["worker"]["ok"] is False


def test_it_fails_readiness_when_the_engine_heartbeat_is_stale(client, settings, monkeypatch):
    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = 60
    monkeypatch.setitem(checks.CHECKS, "broker", lambda: "answers")
    monkeypatch.setitem(checks.CHECKS, "worker", lambda: "w1 answered")
    beat(seconds_ago=61)
    status, found = _ready(client)
    assert status == 503
    assert found["engine"]["ok"] is False
    assert found["engine"]["detail"] == "no engine has swept for 61s (limit 60s)"
    beat(seconds_ago=0)
    assert _ready(client)[0] == 200


def test_it_fails_readiness_when_no_engine_has_ever_swept(client, monkeypatch):
    monkeypatch.setitem(checks.CHECKS, "broker", lambda: "answers")
    monkeypatch.setitem(checks.CHECKS, "worker", lambda: "w1 answered")
    status, found = _ready(client)
    assert status == 503
    assert found["engine"] == {"ok": False, "detail": "no engine has ever swept", "seconds": found["engine"]["seconds"]}


def test_it_reads_readiness_in_at_most_two_queries(client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setitem(checks.CHECKS, "broker", lambda: "answers")
    monkeypatch.setitem(checks.CHECKS, "worker", lambda: "w1 answered")
    beat(seconds_ago=1)
    with django_assert_max_num_queries(2):
        assert client.get("/readyz").status_code == 200


@pytest.mark.slow
def test_it_fails_readiness_when_the_database_is_down(tmp_path):
    """A web process whose database does not answer (a closed port): 503 naming the database, and the engine
    check is not tried; /healthz still answers 200, so the orchestrator does not restart the process for it."""
    from scripts.redis_local import free_port

    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='localhost')\n"
        "r = c.get('/readyz'); h = c.get('/healthz')\n"
        "checks = json.loads(r.content)['checks']\n"
        "print(json.dumps({'ready': r.status_code, 'checks': checks, 'health': h.status_code}))\n"
    )
    closed = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test",
               DATABASE_URL=f"postgres://nobody@127.0.0.1:{closed}/nothing", PGCONNECT_TIMEOUT="1",
               CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0", GOLDEN_HOURS_READY_TIMEOUT="0.5")
    started = time.monotonic()
    out = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert time.monotonic() - started < 30
    assert answer["health"] == 200
    assert answer["ready"] == 503
    assert answer["checks"]["database"]["ok"] is False
    assert answer["checks"]["database"]["detail"] == "OperationalError"  # nothing about hosts to a stranger
    assert answer["checks"]["engine"]["detail"] == "not checked: the database is down"
