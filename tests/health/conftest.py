import pytest
from django.core.cache import cache

from crisis.health.heartbeat import CACHE_KEY


@pytest.fixture(autouse=True)
def _no_cached_heartbeat():
    """The desk caches the newest heartbeat for a few seconds, in a cache that outlives one test."""
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)
