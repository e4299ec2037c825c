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
