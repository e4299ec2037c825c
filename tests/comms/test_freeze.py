"""The comms freeze: while a serious incident is open, the freeze list goes quiet unless the commander says so."""

import pytest

from crisis.comms.models import FreezeEntry, FreezePolicy
from crisis.comms.selectors import freeze_state
from crisis.comms.services.freeze import comms_freeze_set
from crisis.models import AuditEntry, EventKind, Statement, StatementStatus
from crisis.services import statements
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from crisis.services.incidents import incident_transition

pytestmark = pytest.mark.django_db


def test_it_freezes_the_list_while_a_sev2_incident_is_open(org, people, open_incident, frozen):
    frozen()
    incident = open_incident(severity=2)
    state = freeze_state(organization_id=org.pk)
    assert state.is_in_effect and state.incidents == [incident]
    assert state.frozen_channels == {"founder_account", "weibo"}


def test_a_sev3_incident_does_not_freeze_at_the_default_threshold(org, open_incident, frozen):
    frozen()
    open_incident(severity=3)
    assert not freeze_state(organization_id=org.pk).is_in_effect


def test_an_organization_that_never_set_a_list_freezes_nothing(org, open_incident):
    open_incident(severity=1)
    state = freeze_state(organization_id=org.pk)
    assert not state.is_in_effect and state.threshold == 2 and state.version == 0


def test_the_commander_publishes_on_a_frozen_channel_only_with_a_reason(
        people, open_incident, frozen, approved_on):
    frozen()
    incident = open_incident(severity=2, commander=people["commander"])
    statement = approved_on(incident)

    with pytest.raises(InvalidInput) as refused:
        statements.statement_publish(statement=statement, actor=people["commander"])
    assert "Comms freeze in effect" in refused.value.fields["overrides.freeze"][0]
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.APPROVED

    statements.statement_publish(statement=statement, actor=people["commander"],
                                 overrides={"freeze": "Legal signed off; the families asked us to speak"})
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.PUBLISHED
    event = incident.events.get(kind=EventKind.DECISION, metadata__override="freeze")
    assert "Legal signed off" in event.body
    assert AuditEntry.objects.filter(action="statement.override", changes__check="freeze").count() == 1


def test_a_non_commanders_override_is_refused_and_writes_nothing(people, open_incident, frozen, approved_on):
    frozen()
    incident = open_incident(severity=2, commander=people["commander"])
    statement = approved_on(incident)
    events_before = incident.events.count()

    # The admin may publish, but the incident's commander owns the freeze.
    with pytest.raises(InvalidInput) as refused:
        statements.statement_publish(statement=statement, actor=people["admin"], overrides={"freeze": "Trust me"})
    assert "Only the incident commander" in refused.value.fields["overrides.freeze"][1]
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.APPROVED
    assert incident.events.count() == events_before
    assert not AuditEntry.objects.filter(action="statement.override").exists()


def test_without_a_named_commander_a_commander_role_may_override(people, open_incident, frozen, approved_on):
    frozen()
    incident = open_incident(severity=1)
    statement = approved_on(incident)
    statements.statement_publish(statement=statement, actor=people["commander"], overrides={"freeze": "Recall notice"})
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.PUBLISHED


def test_a_channel_off_the_list_publishes_as_usual(people, open_incident, frozen, approved_on):
    frozen()
    incident = open_incident(severity=1, commander=people["commander"])
    statement = approved_on(incident, channel="wechat")
    statements.statement_publish(statement=statement, actor=people["commander"])
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.PUBLISHED


def test_the_freeze_lifts_when_the_incident_is_resolved(people, open_incident, frozen, approved_on):
    frozen()
    incident = open_incident(severity=2, commander=people["commander"])
    statement = approved_on(incident)
    incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
    statements.statement_publish(statement=statement, actor=people["commander"])
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.PUBLISHED


def test_recording_a_post_made_outside_the_desk_is_gated_too(people, open_incident, frozen):
    frozen()
    incident = open_incident(severity=2, commander=people["commander"])
    with pytest.raises(InvalidInput) as refused:
        statements.statement_record_published(incident=incident, actor=people["commander"], channel="weibo",
                                              kind="holding", body="已发布", published_at=incident.detected_at)
    assert "overrides.freeze" in refused.value.fields
    assert not Statement.objects.exists()


@pytest.mark.parametrize(("threshold", "entries", "field"), [
    (5, [], "severity_threshold"),
    (True, [], "severity_threshold"),
    (2, [{"channel": "", "account": ""}], "entries.0"),
    (2, [{"channel": "myspace"}], "entries.0.channel"),
    (2, [{"account": "x" * 201}], "entries.0.account"),
    (2, [{"channel": "weibo"}, {"channel": "weibo"}], "entries.1"),
    (2, "weibo", "entries"),
    (2, [{"channel": "weibo"}] * 51, "entries"),
])
def test_it_refuses_bad_input_and_writes_nothing(org, people, threshold, entries, field):
    with pytest.raises(InvalidInput) as refused:
        comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=threshold, entries=entries)
    assert field in refused.value.fields
    assert not FreezePolicy.objects.exists() and not FreezeEntry.objects.exists()
    assert not AuditEntry.objects.filter(action="comms.freeze_set").exists()


def test_only_an_admin_edits_the_list(org, people):
    with pytest.raises(PermissionDenied):
        comms_freeze_set(organization=org, actor=people["commander"], severity_threshold=2,
                         entries=[{"channel": "weibo"}])
    assert not FreezeEntry.objects.exists()


def test_it_records_each_edit_in_the_audit_log(org, people, frozen):
    policy = frozen()
    comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=1, entries=[],
                     expected_version=policy.version)
    edits = AuditEntry.objects.filter(action="comms.freeze_set").order_by("id")
    assert list(edits.values_list("changes__version", flat=True)) == [1, 2]
    assert FreezePolicy.objects.get().severity_threshold == 1 and not FreezeEntry.objects.exists()


def test_it_loses_the_race_to_another_admins_first_edit(org, people):
    seen = freeze_state(organization_id=org.pk).version
    comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=2, entries=[{"channel": "weibo"}],
                     expected_version=seen)
    with pytest.raises(ConcurrentUpdate):
        comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=1,
                         entries=[{"channel": "douyin"}], expected_version=seen)
    assert list(FreezeEntry.objects.values_list("channel", flat=True)) == ["weibo"]


def test_it_loses_the_race_to_another_admins_later_edit(org, people, frozen):
    seen = frozen().version
    comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=2, entries=[],
                     expected_version=seen)
    with pytest.raises(ConcurrentUpdate):
        comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=1,
                         entries=[{"channel": "douyin"}], expected_version=seen)
    assert not FreezeEntry.objects.exists() and FreezePolicy.objects.get().version == seen + 1
