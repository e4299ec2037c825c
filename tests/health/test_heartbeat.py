"""The engine's heartbeat (at most one write a second) and its dead-man's-switch ping (only while it sweeps)."""

import os
import socket
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis import clock
from crisis.health.deadman import DeadmanRefused, deadman_ping
from crisis.health.heartbeat import engine_health
from crisis.models import EngineHeartbeat
from crisis.timers import engine as engine_module
from crisis.timers.engine import HEARTBEAT_EVERY, Engine

from .pingserver import PingServer

pytestmark = pytest.mark.django_db


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic(monkeypatch):
    fake = Monotonic()
    monkeypatch.setattr(engine_module.time, "monotonic", fake)
    return fake


def heartbeat_writes(queries) -> int:
    return sum(1 for q in queries.captured_queries
               if "crisis_engineheartbeat" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def test_it_writes_a_heartbeat_naming_the_engine_after_a_sweep(monotonic):
    engine = Engine()
    engine.tick()
    row = EngineHeartbeat.objects.get()
    assert row.name == f"{socket.gethostname()}:{os.getpid()}"
    assert (row.host, row.pid) == (socket.gethostname(), os.getpid())
    assert row.swept_at == engine.swept_at
    assert row.sweeps == 1
    assert not engine_health().is_stale


def test_it_writes_the_heartbeat_at_most_once_per_five_seconds_however_fast_the_loop_sweeps(monotonic):
    engine = Engine()
    engine.tick()  # the first beat inserts the engine's row
    with CaptureQueriesContext(connection) as queries:
        for _ in range(49):  # a burst, or a backoff from a held row: 49 more sweeps within 4.9 s
            monotonic.now += 0.1
            engine.tick()
        assert heartbeat_writes(queries) == 0
        monotonic.now += HEARTBEAT_EVERY
        engine.tick()
        assert heartbeat_writes(queries) == 1  # one UPDATE per HEARTBEAT_EVERY in the steady state
    assert EngineHeartbeat.objects.get().sweeps == 51


def test_it_keeps_one_row_per_engine_and_forgets_engines_gone_for_a_week(monotonic):
    old = Engine(name="gone:1")
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        old.tick()
    Engine(name="a:1").tick()
    Engine(name="b:2").tick()
    assert sorted(EngineHeartbeat.objects.values_list("name", flat=True)) == ["a:1", "b:2"]


def test_it_pings_the_dead_mans_switch_while_the_engine_sweeps(monotonic, settings):
    with PingServer() as server:
        settings.GOLDEN_HOURS_DEADMAN_URL = server.url
        settings.GOLDEN_HOURS_DEADMAN_INTERNAL = "1"
        settings.GOLDEN_HOURS_DEADMAN_EVERY = 30
        engine = Engine()
        engine.tick()
        engine.deadman()
        engine.deadman()  # within the 30 s: no second ping
        monotonic.now += 31
        engine.deadman()
    assert server.pings == ["/ping/abc", "/ping/abc"]


def test_it_stops_pinging_when_its_own_sweeps_go_stale(monotonic, settings):
    """The sweep loop hangs while the housekeeping thread lives: the pings stop, so the outside monitor pages."""
    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = 60
    settings.GOLDEN_HOURS_DEADMAN_EVERY = 0
    settings.GOLDEN_HOURS_DEADMAN_INTERNAL = "1"
    with PingServer() as server:
        settings.GOLDEN_HOURS_DEADMAN_URL = server.url
        engine = Engine()
        engine.tick()
        engine.deadman()
        with time_machine.travel(clock.now() + timedelta(seconds=61), tick=False):
            monotonic.now += 61
            engine.deadman()
    assert len(server.pings) == 1


def test_it_pings_from_the_housekeeping_thread(settings):
    engine = Engine()
    with PingServer(on_ping=engine.halt.set) as server:
        settings.GOLDEN_HOURS_DEADMAN_URL = server.url
        settings.GOLDEN_HOURS_DEADMAN_INTERNAL = "1"
        engine.tick()
        engine.housekeeping_loop()  # returns once the ping has set halt
    assert server.pings == ["/ping/abc"]


def test_it_refuses_a_ping_url_inside_the_network_unless_the_operator_allows_it(settings):
    with PingServer() as server:
        settings.GOLDEN_HOURS_DEADMAN_URL = server.url
        settings.GOLDEN_HOURS_DEADMAN_INTERNAL = ""
        with pytest.raises(DeadmanRefused):
            deadman_ping()
    assert server.pings == []


def test_it_sends_no_ping_when_no_url_is_set(settings):
    settings.GOLDEN_HOURS_DEADMAN_URL = ""
    assert deadman_ping() is False
