"""The engine's loop: how long it sleeps, and that it never spins.

Time passes only through the engine's wake listener, which these tests replace: each wait moves a
time-machine clock on by the timeout the engine asked for, so a minute of engine life takes a few
hundred milliseconds and nothing here sleeps. What the engine costs is counted, not timed: every
statement it sends goes through a wrapped cursor.
"""

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from crisis.models import Breach, Deadline, DeadlineState
from crisis.timers import engine as engine_module
from crisis.timers.engine import HELD_BACKOFF_MAX, POLL_WITHOUT_NOTIFY, Engine, WakeListener
from tests.factories import IncidentFactory

from .outcomes import all_breached, deadlines_seed, ids_of
from .processes import EngineStack, database_url, wait_for

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
T = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


class VirtualWaits:
    """Stands in for the wake listener: a wait moves the travelling clock on by its timeout, then lets the test
    look (``after``); the engine is stopped when ``after`` says so, or after ``limit`` waits (a spinning loop)."""

    def __init__(self, traveller, engine: Engine, limit: int = 2000):
        self.traveller, self.engine, self.limit = traveller, engine, limit
        self.timeouts: list[float] = []
        self.elapsed = 0.0
        self.failures = 0
        self.before = lambda: None
        self.after = lambda: False

    def wait(self, timeout: float) -> None:
        self.before()
        self.timeouts.append(timeout)
        self.traveller.shift(timeout)
        self.elapsed += timeout
        if self.after() or len(self.timeouts) >= self.limit:
            self.engine.stopping = True

    def reset(self) -> None:
        # The engine's loop failed (it logs the error and would retry forever): stop, and let the test fail.
        self.failures += 1
        self.engine.stopping = True


class Statements:
    """Counts what the engine sends to the database (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@pytest.fixture
def quiet_housekeeping(monkeypatch):
    # Housekeeping runs on real (monotonic) time every 10 s; leave it out so the counts are the sweep's alone.
    monkeypatch.setattr(engine_module, "HOUSEKEEPING_EVERY", float("inf"))
    # The engine publishes from a helper thread for the rest of its process: not for the rest of this test run.
    monkeypatch.setattr(engine_module, "publish_in_background", lambda: None)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks: nothing can hold one row while the engine sweeps")
@pytest.mark.django_db(transaction=True)
def test_it_backs_off_while_another_transaction_holds_a_due_row_and_breaches_it_once_released(quiet_housekeeping):
    incident = IncidentFactory()
    with time_machine.travel(T, tick=False) as traveller:
        [held] = deadlines_seed(incident, [T - timedelta(seconds=1)], send_timers=False)
        deadlines_seed(incident, [T + timedelta(hours=1)], send_timers=False)  # something to sleep towards
        engine = Engine(max_sleep=30.0)
        waits = engine.listener = VirtualWaits(traveller, engine)
        statements = Statements()
        url = database_url(connection.settings_dict)
        with psycopg.connect(url) as other, psycopg.connect(url, autocommit=True) as observer:
            # A satisfying change, a report, a stuck session: any transaction holding the row past its due time.
            other.execute("SELECT id FROM crisis_deadline WHERE id = %s FOR UPDATE", [held.pk])
            held_for = 60.0
            seen: dict[str, float] = {}

            def release_after_a_minute():
                if "released" not in seen and waits.elapsed >= held_for:
                    seen.update(released=waits.elapsed, statements=statements.count, waits=len(waits.timeouts))
                    other.rollback()  # in the middle of the engine's sleep: it finds out when it wakes

            def breached() -> bool:
                if "released" not in seen:
                    return False
                row = observer.execute("SELECT state FROM crisis_deadline WHERE id = %s", [held.pk]).fetchone()
                return row[0] == DeadlineState.BREACHED

            waits.before, waits.after = release_after_a_minute, breached
            with connection.execute_wrapper(statements):
                engine.run()

    assert waits.failures == 0, "the engine's loop failed; see the log"
    assert "released" in seen, f"{len(waits.timeouts)} wake-ups in {waits.elapsed:.1f} s: the engine spins on the row"
    while_held = waits.timeouts[:seen["waits"]]
    assert min(while_held) > 0, "the engine slept 0 s: it spins on the locked row"
    assert max(while_held) == HELD_BACKOFF_MAX
    # Idle, the engine would wake twice a minute; here about once a second, three statements each time
    # (the sweep that skips the row, the next due time, whether a due row is held), not hundreds a second.
    assert seen["statements"] / held_for <= 4, f"{seen['statements']} statements in {held_for:.0f} s"
    assert len(while_held) <= held_for / HELD_BACKOFF_MAX + 8
    # Once the lock goes, the next wake (at most the backoff later) breaches it, once.
    held.refresh_from_db()
    assert held.state == DeadlineState.BREACHED
    assert held.breached_at - (T + timedelta(seconds=seen["released"])) <= timedelta(seconds=HELD_BACKOFF_MAX)
    assert Breach.objects.filter(deadline=held).count() == 1


@pytest.mark.django_db
def test_it_sleeps_until_the_next_deadline_falls_due(quiet_housekeeping):
    incident = IncidentFactory()
    with time_machine.travel(T, tick=False) as traveller:
        deadlines_seed(incident, [T + timedelta(seconds=12.5)], send_timers=False)
        engine = Engine(max_sleep=30.0)
        waits = engine.listener = VirtualWaits(traveller, engine)
        waits.after = lambda: len(waits.timeouts) == 2
        engine.run()
    assert waits.timeouts == [12.5, 30.0]  # then nothing is pending: the longest sleep
    assert Deadline.objects.get().state == DeadlineState.BREACHED


@pytest.mark.django_db
def test_it_sleeps_as_long_as_it_may_when_nothing_is_pending(quiet_housekeeping):
    with time_machine.travel(T, tick=False) as traveller:
        engine = Engine(max_sleep=30.0)
        waits = engine.listener = VirtualWaits(traveller, engine)
        waits.after = lambda: len(waits.timeouts) == 3
        engine.run()
    assert waits.timeouts == [30.0, 30.0, 30.0]


@pytest.mark.skipif(ON_POSTGRES, reason="on PostgreSQL the engine waits on LISTEN for a nearer deadline")
@pytest.mark.django_db
def test_it_looks_again_within_a_second_without_notify(monkeypatch):
    # Nothing tells the engine on SQLite that a nearer deadline was just created (bin/up in development),
    # so it must not sleep 30 s towards a later one.
    slept: list[float] = []
    monkeypatch.setattr(engine_module.time, "sleep", slept.append)
    WakeListener().wait(30.0)
    assert slept == [POLL_WITHOUT_NOTIFY] and POLL_WITHOUT_NOTIFY <= 1.0


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="on PostgreSQL NOTIFY wakes the engine (tests/timers/test_faults.py)")
@pytest.mark.django_db(transaction=True)
def test_it_flags_a_new_deadline_promptly_on_sqlite_where_nothing_wakes_the_engine(tmp_path):
    # bin/up in development: SQLite, no NOTIFY, and no per-deadline Celery timers any more.
    stack = EngineStack(workdir=tmp_path, database_url=f"sqlite:///{connection.settings_dict['NAME']}")
    stack.extra_env["GOLDEN_HOURS_SEND_TIMERS"] = "0"
    stack.clock_set(0)
    incident = IncidentFactory()
    deadlines_seed(incident, [timezone.now() + timedelta(hours=1)], send_timers=False)  # the engine sleeps 30 s
    sentinel = deadlines_seed(incident, [timezone.now() - timedelta(seconds=1)], send_timers=False)
    try:
        stack.engine_start(max_sleep=30.0)
        wait_for(lambda: all_breached(ids_of(sentinel)), what="the engine's first sweep")
        # A sweep that is not the first (that one is followed by housekeeping): once it has breached this, the
        # engine goes straight back to sleep towards the deadline an hour away.
        sentinel = deadlines_seed(incident, [timezone.now() + timedelta(seconds=1)], send_timers=False)
        wait_for(lambda: all_breached(ids_of(sentinel)), what="the engine's next sweep")
        [new] = deadlines_seed(incident, [timezone.now() + timedelta(minutes=1)], send_timers=False)
        stack.clock_set(61)  # a minute later for the engine: the new deadline is due
        wait_for(lambda: Deadline.objects.get(pk=new.pk).state == DeadlineState.BREACHED, timeout=5,
                 what="the engine to notice the new deadline within a second or so, not after its 30 s sleep")
    finally:
        stack.stop_all()


@pytest.mark.django_db
def test_it_sweeps_on_time_while_a_housekeeping_pass_is_still_running(monkeypatch):
    # A pass takes ~100 ms with a busy table; in the sweep's own loop, whatever fell due meanwhile waited for it.
    monkeypatch.setattr(engine_module, "publish_in_background", lambda: None)
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    during_the_pass = []

    def slow_housekeeping(self):
        started.set()
        release.wait(5)
        finished.set()

    monkeypatch.setattr(Engine, "housekeeping", slow_housekeeping)
    incident = IncidentFactory()
    try:
        with time_machine.travel(T, tick=False) as traveller:
            deadlines_seed(incident, [T + timedelta(seconds=5)], send_timers=False)
            engine = Engine(max_sleep=30.0)
            waits = engine.listener = VirtualWaits(traveller, engine)
            waits.before = lambda: started.wait(10)  # the pass is under way before the deadline falls due

            def after():
                breached = Deadline.objects.filter(state=DeadlineState.BREACHED).exists()
                if breached:
                    during_the_pass.append(not finished.is_set())
                return breached

            waits.after = after
            engine.run()
        assert during_the_pass == [True]
        assert Deadline.objects.get().breached_at == T + timedelta(seconds=5)
    finally:
        release.set()
