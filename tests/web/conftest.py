import pytest
from django.test import Client


@pytest.fixture
def client_for():
    """A browser session signed in as ``user``."""

    def _client(user) -> Client:
        # The factory sets a password in memory only; the session must carry the hash the database holds.
        user.refresh_from_db()
        client = Client()
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def incident(open_incident):
    return open_incident()
