import pytest

from crisis.oncall.models import TargetKind
from tests.deadline_helpers import T0

from .factories import ScheduleFactory, policy_with, rotation_with
from .receiver import Receiver


@pytest.fixture
def schedule(org, people):
    """The responder is on call, every day, hand-off 09:00 Shanghai."""
    schedule = ScheduleFactory(organization=org, time_zone="Asia/Shanghai")
    rotation_with(schedule, [people["responder"]], starts_on=(T0.date().replace(day=1)))
    return schedule


@pytest.fixture
def policy(org, schedule):
    """On call first; the incident's commander five minutes later."""
    return policy_with(org, [
        {"target_kind": TargetKind.SCHEDULE, "schedule": schedule, "wait_seconds": 300},
        {"target_kind": TargetKind.INCIDENT_ROLE, "incident_role": "commander", "wait_seconds": 300},
    ])


@pytest.fixture
def commanded_incident(incident_at_t0, people):
    """An SEV2 incident whose first public signal was T0, commanded by people['commander']."""
    def _open(**kw):
        kw.setdefault("commander", people["commander"])
        return incident_at_t0(**kw)
    return _open


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()
