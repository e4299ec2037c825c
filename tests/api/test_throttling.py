"""The per-token budget: a counter per fixed window, in the default cache."""

import os
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from rest_framework.test import APIClient

from crisis.api.models import ApiToken
from crisis.api.throttling import PerTokenRateThrottle

pytestmark = pytest.mark.django_db


def _rate(rate: str):
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"per_token": rate}})


def _throttle(cache, rate: str) -> PerTokenRateThrottle:
    with _rate(rate):
        throttle = PerTokenRateThrottle()
    throttle.cache = cache
    return throttle


def _request(token_pk: int = 7):
    return SimpleNamespace(auth=ApiToken(pk=token_pk), user=None, META={})


class _AnotherFirstRequestWins:
    """The window's counter appears between this request's incr (missing) and its add."""

    def __init__(self, cache):
        self.cache = cache

    def incr(self, key):
        return self.cache.incr(key)

    def add(self, key, value, timeout):
        self.cache.add(key, 1, timeout)
        return self.cache.add(key, value, timeout)


def test_it_says_how_long_to_wait_for_the_next_window(token_for, people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people['viewer'])}")
    with _rate("1/min"), time_machine.travel("2026-03-01T02:00:20+00:00", tick=False):
        client.get("/api/v1/organizations/")
        limited = client.get("/api/v1/organizations/")

    assert limited.status_code == 429
    assert limited["Retry-After"] == "40"


def test_it_counts_a_concurrent_first_request_of_the_window():
    throttle = _throttle(_AnotherFirstRequestWins(LocMemCache("race", {})), "1/min")

    assert throttle.allow_request(_request(), view=None) is False


def test_it_keeps_one_budget_per_process_with_the_default_cache():
    first, second = (_throttle(LocMemCache(f"worker-{n}", {}), "2/min") for n in (1, 2))

    allowed = [throttle.allow_request(_request(), view=None) for throttle in (first, first, second, second, first)]

    assert allowed == [True, True, True, True, False]


def test_it_shares_the_budget_between_workers_through_redis(redis_url):
    # Two RedisCache objects are two connections, as two gunicorn workers would hold.
    params = {"KEY_PREFIX": f"throttle-test-{os.getpid()}"}
    first, second = (_throttle(RedisCache(redis_url, params), "3/min") for _ in range(2))
    first.cache.clear()

    allowed = [throttle.allow_request(_request(), view=None) for throttle in (first, second, first, second)]

    assert allowed == [True, True, True, False]
    first.cache.clear()
