"""Who may do what: roles are cumulative, and another organization's crisis does not exist for you."""

from datetime import UTC, datetime

import pytest

from crisis.models import AuditEntry, EventKind, IncidentStatus, Severity
from crisis.services import incidents, sentiment, statements, timeline
from crisis.services.access import membership_require
from crisis.services.errors import NotFound, PermissionDenied
from crisis.services.origin import Origin, origin_set
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(org, people):
    """An incident with one statement at each step, so that every service has something to act on."""
    incident = IncidentFactory(organization=org, status=IncidentStatus.ACTIVE)
    r = people["responder"]

    def statement():
        return statements.statement_create(incident=incident, actor=r, channel="weibo", kind="holding", body="说明")

    draft = statement()
    in_review = statements.statement_submit_for_review(statement=statement(), actor=r)
    approved = statements.statement_submit_for_review(statement=statement(), actor=r)
    statements.statement_approve(statement=approved, actor=people["approver"])
    published = statements.statement_submit_for_review(statement=statement(), actor=r)
    statements.statement_approve(statement=published, actor=people["approver"])
    statements.statement_publish(statement=published, actor=people["commander"])
    event = timeline.timeline_event_log(incident=incident, actor=r, body="Seen on Douyin.")
    checkpoint = sentiment.sentiment_checkpoint_record(incident=incident, actor=r, measured_at=NOW, source="Weibo",
                                                       negative_share=0.6)
    return {"incident": incident, "draft": draft, "in_review": in_review, "approved": approved,
            "published": published, "event": event, "checkpoint": checkpoint}


# Each operation with the least role that may perform it.
OPERATIONS = {
    "incident_open": ("responder", lambda w, u: incidents.incident_open(
        organization=w["incident"].organization, actor=u, title="Another one", first_public_signal_at=NOW)),
    "incident_acknowledge": ("responder", lambda w, u: incidents.incident_acknowledge(
        incident=w["incident"], actor=u)),
    "incident_contain": ("commander", lambda w, u: incidents.incident_transition(
        incident=w["incident"], actor=u, to_status=IncidentStatus.CONTAINED)),
    "incident_change_severity": ("commander", lambda w, u: incidents.incident_change_severity(
        incident=w["incident"], actor=u, severity=Severity.SEV1)),
    "incident_update_details": ("commander", lambda w, u: incidents.incident_update_details(
        incident=w["incident"], actor=u, title="Renamed")),
    "timeline_event_log": ("responder", lambda w, u: timeline.timeline_event_log(
        incident=w["incident"], actor=u, body="Noted.", kind=EventKind.NOTE)),
    "timeline_event_correct": ("responder", lambda w, u: timeline.timeline_event_correct(
        event=w["event"], actor=u, body="Seen on Weibo.")),
    "timeline_event_pin": ("responder", lambda w, u: timeline.timeline_event_pin(
        event=w["event"], actor=u, is_pinned=True)),
    "sentiment_checkpoint_record": ("responder", lambda w, u: sentiment.sentiment_checkpoint_record(
        incident=w["incident"], actor=u, measured_at=NOW, source="Douyin", mention_volume=900)),
    "sentiment_checkpoint_correct": ("responder", lambda w, u: sentiment.sentiment_checkpoint_correct(
        checkpoint=w["checkpoint"], actor=u, negative_share=0.5)),
    "statement_create": ("responder", lambda w, u: statements.statement_create(
        incident=w["incident"], actor=u, channel="weibo", kind="update", body="更新")),
    "statement_revise": ("responder", lambda w, u: statements.statement_revise(
        statement=w["draft"], actor=u, body="新的文字")),
    "statement_submit_for_review": ("responder", lambda w, u: statements.statement_submit_for_review(
        statement=w["draft"], actor=u)),
    "statement_approve": ("approver", lambda w, u: statements.statement_approve(statement=w["in_review"], actor=u)),
    "statement_publish": ("commander", lambda w, u: statements.statement_publish(statement=w["approved"], actor=u)),
    "statement_retract": ("commander", lambda w, u: statements.statement_retract(
        statement=w["published"], actor=u, reason="Wrong facts.")),
}
RANKED = ["viewer", "responder", "approver", "commander", "admin"]
ALLOWED = [(op, role) for op, (least, _f) in OPERATIONS.items() for role in RANKED[RANKED.index(least):]]
REFUSED = [(op, role) for op, (least, _f) in OPERATIONS.items() for role in RANKED[:RANKED.index(least)]]


@pytest.mark.parametrize(("operation", "role"), ALLOWED)
def test_it_lets_a_role_do_what_it_may(world, people, operation, role):
    assert OPERATIONS[operation][1](world, people[role]) is not None


@pytest.mark.parametrize(("operation", "role"), REFUSED)
def test_it_refuses_a_role_below_the_one_needed(world, people, operation, role):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        OPERATIONS[operation][1](world, people[role])
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_it_answers_not_found_to_somebody_from_another_organization(world, people, operation):
    before = AuditEntry.objects.count()
    with pytest.raises(NotFound):
        OPERATIONS[operation][1](world, people["outsider"])
    assert AuditEntry.objects.count() == before


def test_it_answers_not_found_to_a_user_without_any_membership(world):
    with pytest.raises(NotFound):
        timeline.timeline_event_log(incident=world["incident"], actor=UserFactory(), body="Hello?")


def test_it_names_the_role_needed_in_the_refusal(org, people):
    with pytest.raises(PermissionDenied, match="Commander.*Viewer"):
        membership_require(user=people["viewer"], organization=org, role="commander")


def test_it_lets_the_system_act_without_a_user(org):
    membership_require(user=None, organization=org, role="admin")


def test_it_records_the_door_and_address_of_a_change_in_the_audit_log(org, people):
    incident = IncidentFactory(organization=org)
    with origin_set(Origin(via="api-token", ip_address="203.0.113.7")):
        timeline.timeline_event_log(incident=incident, actor=people["responder"], body="Via the API.")
    entry = AuditEntry.objects.get(action="timeline_event.log")
    assert (entry.via, entry.ip_address, entry.actor, entry.organization) == (
        "api-token", "203.0.113.7", people["responder"], org)


def test_it_audits_system_changes_as_system(org, people):
    incident = IncidentFactory(organization=org)
    timeline.timeline_event_log(incident=incident, actor=None, body="Imported.")
    entry = AuditEntry.objects.get(action="timeline_event.log")
    assert (entry.via, entry.ip_address, entry.actor) == ("system", None, None)
