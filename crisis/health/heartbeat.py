"""The engine's heartbeat: written by each ``run_engine`` after its sweeps, read by the banner and /readyz."""

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Max

from crisis import clock
from crisis.models import EngineHeartbeat

from .conf import setting

# The desk reads the newest heartbeat on every signed-in page; a shared cache entry makes that one query per this
# many seconds per process, not one per page. The verdict itself is taken against the clock at each render.
DESK_CACHE_SECONDS = 5
CACHE_KEY = "golden-hours:engine-swept-at"
# Rows of engines gone for this long are removed when a new engine starts.
FORGET_AFTER = timedelta(days=7)


def engine_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat_write(*, name: str, swept_at: datetime, started_at: datetime, sweeps: int,
                    loop_seconds: float) -> None:
    """One UPDATE in the steady state; the first beat of a process inserts its row."""
    fields = {"swept_at": swept_at, "sweeps": sweeps, "loop_seconds": loop_seconds}
    if EngineHeartbeat.objects.filter(name=name).update(**fields):
        return
    EngineHeartbeat.objects.filter(swept_at__lt=swept_at - FORGET_AFTER).delete()
    host, _, pid = name.rpartition(":")
    EngineHeartbeat.objects.update_or_create(
        name=name, defaults={**fields, "host": host, "pid": int(pid) if pid.isdigit() else 0,
                             "started_at": started_at})


def engine_last_swept_at() -> datetime | None:
    """When any engine last swept (one index probe)."""
    return EngineHeartbeat.objects.aggregate(at=Max("swept_at"))["at"]


def stale_after() -> timedelta:
    return timedelta(seconds=setting("GOLDEN_HOURS_ENGINE_STALE_AFTER"))


@dataclass(frozen=True)
class EngineHealth:
    swept_at: datetime | None
    now: datetime
    limit: timedelta

    @property
    def has_ever_run(self) -> bool:
        return self.swept_at is not None

    @property
    def silent_for(self) -> timedelta | None:
        return None if self.swept_at is None else max(self.now - self.swept_at, timedelta(0))

    @property
    def is_stale(self) -> bool:
        return self.swept_at is None or self.now - self.swept_at > self.limit

    @property
    def silent_minutes(self) -> int:
        return int((self.silent_for or timedelta(0)).total_seconds() // 60)


def engine_health(*, cached: bool = False) -> EngineHealth:
    """Whether an engine has swept recently. ``cached``: for pages, read the newest heartbeat at most every few
    seconds (a dead engine is still shown within DESK_CACHE_SECONDS of its limit)."""
    if cached:
        swept_at = cache.get(CACHE_KEY, default=False)
        if swept_at is False:
            swept_at = engine_last_swept_at()
            cache.set(CACHE_KEY, swept_at, DESK_CACHE_SECONDS)
    else:
        swept_at = engine_last_swept_at()
    return EngineHealth(swept_at=swept_at, now=clock.now(), limit=stale_after())
