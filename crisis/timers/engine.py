"""The long-running deadline engine (``manage.py run_engine``).

Loop: breach what is due, relay undelivered breaches (and, if enabled, send ETA timers for deadlines
entering the horizon), then sleep until the next due time, woken early by PostgreSQL NOTIFY when a
nearer deadline is created or moved; without NOTIFY (SQLite) it looks again every second. A due row
that another transaction holds locked is not "due now" for the sleep: the engine backs off instead
of spinning on it. It survives the database going away: it backs off and retries, and a sweep on
reconnect catches everything that fell due meanwhile.
"""

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from crisis import clock

# The heartbeat and the dead-man's switch sit beside crisis.clock: they import nothing from timers (the ping loads the
# egress guard only when it sends), so the engine depends on them without a circle; what builds on the engine (the
# auditor, /readyz) imports it instead.
from crisis.health.deadman import deadman_every, deadman_ping
from crisis.health.heartbeat import engine_name, heartbeat_write, stale_after

from .housekeeping import housekeeping_run
from .scheduling import WAKE_CHANNEL, publish_in_background
from .sweeper import breaches_relay, deadline_next_due, deadlines_breach_due, deadlines_schedule_upcoming

logger = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 10.0  # seconds between upcoming-timer and outbox-relay passes
# How often the housekeeping thread looks whether a pass is due (and whether the engine is stopping).
HOUSEKEEPING_LOOK = 1.0
# Without NOTIFY (SQLite, development) nothing wakes the engine when a nearer deadline appears: look every second.
POLL_WITHOUT_NOTIFY = 1.0
# While another transaction holds a due row: look again after 50 ms, doubling up to 1 s. A lock held for a
# moment (a satisfying change, a timer) costs one quick retry; one held for minutes costs a sweep a second,
# not a spin, and the breach lands at most a second after the lock goes.
HELD_BACKOFF_FIRST = 0.05
HELD_BACKOFF_MAX = 1.0
# The heartbeat (crisis/health) is rewritten after a sweep at most this often: a loop that sweeps every few
# milliseconds in a burst, or once a second while it backs off from a held row, costs one UPDATE per 5 s, not one
# per sweep. Lag it adds to "last swept" (5 s, plus the longest sleep, 30 s) stays well inside the stale limit (60 s).
HEARTBEAT_EVERY = 5.0


class WakeListener:
    """A dedicated LISTEN connection on PostgreSQL; a plain sleep elsewhere."""

    def __init__(self) -> None:
        self.conn = None

    def _connect(self):
        import psycopg

        db = settings.DATABASES["default"]
        self.conn = psycopg.connect(
            dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None, port=db.get("PORT") or None, autocommit=True, connect_timeout=5,
        )
        self.conn.execute(f"LISTEN {WAKE_CHANNEL}")

    def wait(self, timeout: float) -> None:
        if connection.vendor != "postgresql":
            time.sleep(min(timeout, POLL_WITHOUT_NOTIFY))
            return
        if self.conn is None or self.conn.closed:
            self._connect()
        for _note in self.conn.notifies(timeout=timeout, stop_after=1):
            break

    def reset(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):  # it is already broken; we are replacing it
                self.conn.close()
        self.conn = None


@dataclass
class Engine:
    max_sleep: float = 30.0
    relay_after: float = 5.0
    stopping: bool = False
    listener: WakeListener = field(default_factory=WakeListener)
    swept_at: datetime | None = None
    held_backoff: float = HELD_BACKOFF_FIRST
    halt: threading.Event = field(default_factory=threading.Event)
    name: str = field(default_factory=engine_name)
    started_at: datetime | None = None
    sweeps: int = 0
    longest_sweep: float = 0.0
    beat_at: float | None = None  # time.monotonic() of the last heartbeat written
    pinged_at: float | None = None  # time.monotonic() of the last dead-man's-switch ping

    def tick(self) -> int:
        started = time.monotonic()
        self.swept_at = clock.now()
        breached = deadlines_breach_due(now=self.swept_at)
        if breached:
            logger.info("breached %d deadline(s)", breached)
        self.sweeps += 1
        self.longest_sweep = max(self.longest_sweep, time.monotonic() - started)
        self.heartbeat()
        return breached

    def heartbeat(self) -> None:
        """Say that this engine swept (crisis/health): after a sweep, at most once per HEARTBEAT_EVERY."""
        if self.beat_at is not None and time.monotonic() - self.beat_at < HEARTBEAT_EVERY:
            return
        self.started_at = self.started_at or self.swept_at
        heartbeat_write(name=self.name, swept_at=self.swept_at, started_at=self.started_at, sweeps=self.sweeps,
                        loop_seconds=self.longest_sweep)
        self.beat_at = time.monotonic()
        self.longest_sweep = 0.0

    def deadman(self) -> None:
        """Ping the outside dead-man's switch, only while this engine's own sweeps are fresh: a sweep loop that
        died or hangs while this thread lives must stop the pings too, so the outside monitor pages."""
        if self.pinged_at is not None and time.monotonic() - self.pinged_at < deadman_every():
            return
        if self.swept_at is None or clock.now() - self.swept_at > stale_after():
            return
        self.pinged_at = time.monotonic()
        deadman_ping()

    def housekeeping(self) -> None:
        deadlines_schedule_upcoming(now=clock.now())
        breaches_relay(older_than=self.relay_after)
        housekeeping_run(now=clock.now())

    def sleep_seconds(self) -> float:
        """Until the next deadline falls due; a row the sweep could not lock only shortens it to the backoff."""
        swept_at = self.swept_at or clock.now()
        upcoming = deadline_next_due(swept_at=swept_at)
        sleep = self.max_sleep if upcoming.at is None else (upcoming.at - clock.now()).total_seconds()
        if upcoming.held:
            sleep = min(sleep, self.held_backoff)
            self.held_backoff = min(self.held_backoff * 2, HELD_BACKOFF_MAX)
        else:
            self.held_backoff = HELD_BACKOFF_FIRST
        return min(self.max_sleep, max(0.0, sleep))

    def housekeeping_loop(self) -> None:
        """Housekeeping beside the sweep, on its own thread and database connection. A pass takes about
        100 ms with 100,000 deadlines pending (warnings, relays, purges); in the sweep's loop a deadline
        falling due during it waited that long (it was most of the steady stream's p99)."""
        last = 0.0
        while not self.stopping and not self.halt.is_set():
            if time.monotonic() - last >= HOUSEKEEPING_EVERY:
                try:
                    self.housekeeping()
                except Exception as exc:  # the next pass retries; the sweep goes on regardless
                    logger.warning("engine housekeeping failed (%s)", exc, exc_info=True)
                    connection.close()
                last = time.monotonic()
            try:
                self.deadman()
            except Exception as exc:  # an unreachable monitor must not stop housekeeping
                logger.warning("dead-man's switch ping failed (%s)", exc)
            self.halt.wait(HOUSEKEEPING_LOOK)
        connection.close()

    def run(self) -> None:
        publish_in_background()
        listener = self.listener
        threading.Thread(target=self.housekeeping_loop, name="golden-hours-housekeeping", daemon=True).start()
        try:
            self._loop(listener)
        finally:
            self.halt.set()

    def _loop(self, listener) -> None:
        backoff = 0.1
        while not self.stopping:
            try:
                self.tick()
                listener.wait(self.sleep_seconds())
                backoff = 0.1
            except Exception as exc:
                # Database restarts, broken LISTEN connections and broker outages all land here.
                level = logging.WARNING if isinstance(exc, DatabaseError | OSError) else logging.ERROR
                logger.log(level, "engine loop failed (%s); retrying in %.1fs", exc, backoff, exc_info=True)
                listener.reset()
                connection.close()
                close_old_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, 1.0)
