import pytest
from django.core.exceptions import ValidationError

from crisis.models import INCIDENT_TRANSITIONS, IncidentStatus, Membership, Role, Statement, role_at_least
from crisis.models.zones import validate_time_zone
from tests.factories import IncidentFactory, OrganizationFactory

S = IncidentStatus
RANKED = [Role.VIEWER, Role.RESPONDER, Role.APPROVER, Role.COMMANDER, Role.ADMIN]


def test_it_ranks_roles_viewer_responder_approver_commander_admin():
    for lower, higher in zip(RANKED, RANKED[1:], strict=False):
        assert role_at_least(higher, lower)
        assert not role_at_least(lower, higher)


@pytest.mark.parametrize("role", RANKED)
def test_it_counts_a_role_as_at_least_itself(role):
    assert Membership(role=role).can(role)


def test_it_defines_transitions_from_every_status():
    assert set(INCIDENT_TRANSITIONS) == set(S)


def test_it_never_lets_a_closed_incident_move():
    assert INCIDENT_TRANSITIONS[S.CLOSED] == frozenset()


@pytest.mark.parametrize(("status", "is_open"), [
    (S.MONITORING, True), (S.ACTIVE, True), (S.CONTAINED, True),
    (S.RESOLVED, False), (S.CLOSED, False), (S.FALSE_ALARM, False),
])
def test_it_tells_whether_an_incident_is_open(status, is_open):
    assert IncidentFactory.build(status=status).is_open is is_open


@pytest.mark.parametrize(("source", "target"), [(a, b) for a in S for b in S])
def test_it_answers_can_transition_to_from_the_table(source, target):
    assert IncidentFactory.build(status=source).can_transition_to(target) is (target in INCIDENT_TRANSITIONS[source])


@pytest.mark.django_db
def test_it_defaults_the_time_zone_to_asia_shanghai():
    assert OrganizationFactory().time_zone == "Asia/Shanghai"
    assert IncidentFactory().time_zone == "Asia/Shanghai"


def test_it_accepts_an_iana_time_zone():
    validate_time_zone("America/New_York")


def test_it_rejects_an_unknown_time_zone():
    with pytest.raises(ValidationError):
        validate_time_zone("Mars/Olympus_Mons")


@pytest.mark.parametrize(("channel", "limit"), [("weibo", 2000), ("x", 280), ("website", None)])
def test_it_knows_the_character_limit_of_a_channel(channel, limit):
    assert Statement(channel=channel).character_limit == limit
