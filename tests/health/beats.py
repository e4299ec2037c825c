"""Heartbeats as an engine writes them, for tests that need an engine seen alive or dead."""

from datetime import timedelta

from django.core.cache import cache

from crisis import clock
from crisis.health.heartbeat import CACHE_KEY, heartbeat_write


def beat(*, seconds_ago: float = 0.0, name: str = "engine-host:4242") -> None:
    at = clock.now() - timedelta(seconds=seconds_ago)
    heartbeat_write(name=name, swept_at=at, started_at=at, sweeps=1, loop_seconds=0.004)
    cache.delete(CACHE_KEY)
