from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from crisis.api.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counters live in the cache; one test's requests must not eat the next one's budget.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for():
    """A raw personal token for ``user`` with the given scopes."""

    def _token(user, scopes=("read", "write"), name="script"):
        return api_token_create(user=user, name=name, scopes=list(scopes))[1]

    return _token


@pytest.fixture
def api_as(token_for):
    """An API client that authenticates with a fresh personal token of ``user``."""

    def _client(user, scopes=("read", "write")):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scopes)}")
        return client

    return _client


@pytest.fixture
def session_as():
    """A browser-like client: signed in with a session, CSRF enforced as in production."""

    def _client(user):
        client = APIClient(enforce_csrf_checks=True)
        # The factory sets the password in memory only; the session hash must match the stored row.
        user.refresh_from_db()
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def minutes_ago():
    def _moment(minutes):
        return timezone.now() - timedelta(minutes=minutes)

    return _moment


def iso(moment) -> str:
    return moment.isoformat()
