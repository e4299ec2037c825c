import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from crisis.models import Role
from tests.factories import OrganizationFactory, member

ROOT = Path(__file__).resolve().parent.parent


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _english_between_tests():
    """LocaleMiddleware activates a request's language for the whole thread and never resets it:
    without this, one test that visits /zh-hans/ makes every later reverse() answer in Chinese."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def people(org):
    """One member per role in ``org``, plus an outsider who belongs to another organization."""
    cast = {role.value: member(org, role) for role in Role}
    cast["outsider"] = member(OrganizationFactory(), Role.ADMIN)
    return cast


@pytest.fixture
def open_incident(org, people):
    """Open an incident through the service, as the app does; the clock started 10 minutes ago."""
    from crisis.services.incidents import incident_open

    def _open(**overrides):
        fields = {
            "organization": org, "actor": people["responder"], "title": "Phone smoking on a train",
            "first_public_signal_at": timezone.now() - timedelta(minutes=10), "severity": 2,
        }
        fields.update(overrides)
        return incident_open(**fields)

    return _open


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The REDIS_URL server when it answers; otherwise a private bundled redis-server for this run."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from redis_local import redis_url_or_bundled

    proc, url = redis_url_or_bundled(tmp_path_factory.mktemp("redis"))
    os.environ["REDIS_URL"] = url
    yield url
    if proc is not None:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def at():
    """Move the clock: ``at(minutes)`` puts the time at T0 + minutes for the rest of the test."""
    import time_machine

    from tests.deadline_helpers import T0

    travellers = []

    def _at(minutes: float):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)
        traveller.start()
        travellers.append(traveller)
        return T0 + timedelta(minutes=minutes)

    yield _at
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def incident_at_t0(open_incident, at):
    """An incident whose first public signal is T0, logged at T0+5 min."""
    from tests.deadline_helpers import T0

    def _open(severity=2, **kw):
        at(5)
        return open_incident(first_public_signal_at=T0, severity=severity, **kw)

    return _open


@pytest.fixture
def client_for():
    """A browser session signed in as ``user``."""
    from django.test import Client

    def _client(user) -> Client:
        # The factory sets a password in memory only; the session must carry the hash the database holds.
        user.refresh_from_db()
        client = Client()
        client.force_login(user)
        return client

    return _client
