from datetime import UTC, datetime, timedelta

import pytest

from crisis.models import INCIDENT_TRANSITIONS, AuditEntry, EventKind, Incident, IncidentStatus, Severity, TimelineEvent
from crisis.services import incidents
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition, PermissionDenied
from tests.factories import IncidentFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = IncidentStatus
NOW = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
ALLOWED = [(a, b) for a in S for b in sorted(INCIDENT_TRANSITIONS[a])]
REFUSED = [(a, b) for a in S for b in S if b not in INCIDENT_TRANSITIONS[a]]
TIMESTAMP = {S.CONTAINED: "contained_at", S.RESOLVED: "resolved_at", S.CLOSED: "closed_at"}


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def audit_actions(incident):
    return list(AuditEntry.objects.filter(object_type="crisis.incident", object_id=str(incident.pk))
                .order_by("id").values_list("action", flat=True))


def history(incident):
    """The incident's own timeline, without the deadline engine's entries (tested in tests/timers)."""
    return TimelineEvent.objects.filter(incident=incident).exclude(kind=EventKind.DEADLINE)


def fresh(incident):
    return Incident.objects.get(pk=incident.pk)


# Opening


def test_it_opens_an_incident_with_the_clock_at_the_first_public_signal(org, people):
    signal = NOW - timedelta(minutes=40)
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="  Phone smoking  ",
                                       first_public_signal_at=signal, severity=Severity.SEV2)
    incident = fresh(incident)
    assert (incident.title, incident.status, incident.first_public_signal_at, incident.detected_at) == (
        "Phone smoking", S.ACTIVE, signal, NOW)
    assert incident.created_by == people["responder"]


def test_it_writes_a_pinned_opening_event_at_the_first_public_signal(org, people):
    signal = NOW - timedelta(minutes=40)
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="Phone smoking",
                                       first_public_signal_at=signal)
    event = history(incident).get(kind=EventKind.STATUS_CHANGE)
    assert (event.kind, event.occurred_at, event.recorded_at, event.is_pinned) == (
        EventKind.STATUS_CHANGE, signal, NOW, True)


def test_it_audits_the_opening(org, people):
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="Phone smoking",
                                       first_public_signal_at=NOW)
    assert audit_actions(incident) == ["incident.open"]


def test_it_takes_the_time_zone_of_the_organization_by_default():
    org = OrganizationFactory(time_zone="America/New_York")
    user = UserFactory()
    org.memberships.create(user=user, role="responder")
    incident = incidents.incident_open(organization=org, actor=user, title="Recall", first_public_signal_at=NOW)
    assert incident.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"title": "   "}, "title", id="blank_title"),
        pytest.param({"title": "x" * 301}, "title", id="long_title"),
        pytest.param({"severity": 7}, "severity", id="unknown_severity"),
        pytest.param({"severity": True}, "severity", id="boolean_severity"),
        pytest.param({"status": S.RESOLVED}, "status", id="opened_resolved"),
        pytest.param({"first_public_signal_at": NOW + timedelta(minutes=6)}, "first_public_signal_at",
                     id="signal_in_the_future"),
        pytest.param({"first_public_signal_at": datetime(2025, 3, 14, 1, 0)}, "first_public_signal_at",
                     id="naive_signal"),
        pytest.param({"first_public_signal_at": datetime(9999, 1, 1, tzinfo=UTC)}, "first_public_signal_at",
                     id="year_9999"),
        pytest.param({"detected_at": NOW - timedelta(hours=2)}, "detected_at", id="detected_before_signal"),
        pytest.param({"affected_channels": ["weibo", "myspace"]}, "affected_channels", id="unknown_channel"),
        pytest.param({"tags": ["x" * 51]}, "tags", id="long_tag"),
        pytest.param({"time_zone": "Mars/Olympus_Mons"}, "time_zone", id="unknown_zone"),
    ],
)
def test_it_refuses_to_open_an_invalid_incident(org, people, overrides, field):
    fields = {"organization": org, "actor": people["responder"], "title": "Phone smoking",
              "first_public_signal_at": NOW - timedelta(hours=1)}
    fields.update(overrides)
    with pytest.raises(InvalidInput) as exc:
        incidents.incident_open(**fields)
    assert field in exc.value.fields
    assert not Incident.objects.exists()


def test_it_refuses_a_commander_from_outside_the_organization(org, people):
    with pytest.raises(InvalidInput) as exc:
        incidents.incident_open(organization=org, actor=people["responder"], title="Phone smoking",
                                first_public_signal_at=NOW, commander=people["outsider"])
    assert "commander" in exc.value.fields


def test_it_collects_every_field_error_at_once(org, people):
    with pytest.raises(InvalidInput) as exc:
        incidents.incident_open(organization=org, actor=people["responder"], title="", severity=9,
                                first_public_signal_at=NOW, time_zone="Nowhere/Else")
    assert {"title", "severity", "time_zone"} <= set(exc.value.fields)


def test_it_writes_nothing_when_opening_fails_half_way(org, people, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(incidents, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        incidents.incident_open(organization=org, actor=people["responder"], title="Phone smoking",
                                first_public_signal_at=NOW)
    assert not Incident.objects.exists()
    assert not TimelineEvent.objects.exists()


# Transitions, table-driven over INCIDENT_TRANSITIONS


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_it_makes_every_allowed_transition(org, people, source, target):
    incident = IncidentFactory(organization=org, status=source)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=target)
    assert fresh(incident).status == target
    assert fresh(incident).version == 2


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_it_refuses_every_other_transition(org, people, source, target):
    incident = IncidentFactory(organization=org, status=source)
    with pytest.raises(InvalidTransition) as exc:
        incidents.incident_transition(incident=incident, actor=people["commander"], to_status=target)
    assert "status" in exc.value.fields
    assert (fresh(incident).status, fresh(incident).version) == (source, 1)
    assert not history(incident).exists()
    assert audit_actions(incident) == []


@pytest.mark.parametrize(("source", "target"), [t for t in ALLOWED if t[1] in TIMESTAMP])
def test_it_stamps_the_time_of_a_transition(org, people, source, target):
    incident = IncidentFactory(organization=org, status=source)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=target)
    assert getattr(fresh(incident), TIMESTAMP[target]) == NOW


@pytest.mark.parametrize("source", [S.CONTAINED, S.RESOLVED])
def test_it_clears_contained_and_resolved_times_when_an_incident_flares_up(org, people, source):
    earlier = NOW - timedelta(hours=1)
    incident = IncidentFactory(organization=org, status=source, contained_at=earlier, resolved_at=earlier)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.ACTIVE)
    incident = fresh(incident)
    assert (incident.contained_at, incident.resolved_at) == (None, None)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_it_records_a_transition_on_the_timeline_and_in_the_audit_log(org, people, source, target):
    incident = IncidentFactory(organization=org, status=source)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=target, note="Quiet now.")
    event = history(incident).get()
    assert (event.kind, event.metadata, event.actor, event.is_pinned) == (
        EventKind.STATUS_CHANGE, {"from": source, "to": target}, people["commander"], True)
    assert event.body.endswith("Quiet now.")
    assert audit_actions(incident) == ["incident.transition"]


def test_it_refuses_an_unknown_status(org, people):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)
    with pytest.raises(InvalidInput):
        incidents.incident_transition(incident=incident, actor=people["commander"], to_status="forgotten")


def test_it_leaves_the_status_alone_when_the_timeline_write_fails(org, people, monkeypatch):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)

    def broken_append(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(incidents, "timeline_event_append", broken_append)
    with pytest.raises(RuntimeError):
        incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.CONTAINED)
    assert (fresh(incident).status, fresh(incident).contained_at, fresh(incident).version) == (S.ACTIVE, None, 1)


def test_it_leaves_no_status_event_when_the_audit_write_fails(org, people, monkeypatch):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)

    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(incidents, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.CONTAINED)
    assert fresh(incident).status == S.ACTIVE
    assert not history(incident).exists()


def test_it_loses_the_transition_race_to_a_colleague(org, people):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)
    stale = fresh(incident)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.CONTAINED)
    with pytest.raises(ConcurrentUpdate):
        incidents.incident_transition(incident=stale, actor=people["admin"], to_status=S.RESOLVED)
    assert fresh(incident).status == S.CONTAINED
    assert history(incident).count() == 1


def test_it_loses_the_transition_race_even_when_both_aim_for_the_same_status(org, people):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)
    stale = fresh(incident)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.CONTAINED)
    with pytest.raises(ConcurrentUpdate):
        incidents.incident_transition(incident=stale, actor=people["admin"], to_status=S.CONTAINED)
    assert audit_actions(incident) == ["incident.transition"]


def test_it_lets_a_responder_escalate_to_active(org, people):
    incident = IncidentFactory(organization=org, status=S.MONITORING)
    incidents.incident_transition(incident=incident, actor=people["responder"], to_status=S.ACTIVE)
    assert fresh(incident).status == S.ACTIVE


@pytest.mark.parametrize("target", [S.CONTAINED, S.RESOLVED])
def test_it_keeps_declaring_it_over_for_the_commander(org, people, target):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)
    with pytest.raises(PermissionDenied):
        incidents.incident_transition(incident=incident, actor=people["approver"], to_status=target)


# Acknowledgement


def test_it_acknowledges_an_incident(org, people):
    incident = IncidentFactory(organization=org)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    assert fresh(incident).acknowledged_at == NOW
    assert history(incident).get().metadata == {"acknowledged": True}
    assert audit_actions(incident) == ["incident.acknowledge"]


def test_it_treats_a_second_acknowledgement_as_a_no_op(org, people, time_machine):
    incident = IncidentFactory(organization=org)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    time_machine.move_to(NOW + timedelta(minutes=3), tick=False)
    incidents.incident_acknowledge(incident=incident, actor=people["commander"])
    assert fresh(incident).acknowledged_at == NOW
    assert history(incident).count() == 1


def test_it_keeps_the_first_acknowledgement_when_the_race_is_lost(org, people, time_machine):
    incident = IncidentFactory(organization=org)
    stale = fresh(incident)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
    result = incidents.incident_acknowledge(incident=stale, actor=people["commander"])
    assert result.acknowledged_at == NOW
    assert fresh(incident).acknowledged_at == NOW
    assert history(incident).count() == 1
    assert audit_actions(incident) == ["incident.acknowledge"]


def test_it_never_moves_the_version_backwards_when_a_stale_copy_acknowledges(org, people):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)
    stale = fresh(incident)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.CONTAINED)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=S.ACTIVE)
    incidents.incident_acknowledge(incident=stale, actor=people["responder"])
    assert fresh(incident).version == 4


def test_it_makes_a_stale_copy_lose_after_somebody_acknowledged(org, people):
    incident = IncidentFactory(organization=org, status=S.ACTIVE)
    stale = fresh(incident)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    with pytest.raises(ConcurrentUpdate):
        incidents.incident_transition(incident=stale, actor=people["commander"], to_status=S.CONTAINED)


# Severity


def test_it_changes_the_severity(org, people):
    incident = IncidentFactory(organization=org, severity=Severity.SEV3)
    incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=Severity.SEV1,
                                       reason="Trending #1 on Weibo.")
    event = history(incident).get()
    assert fresh(incident).severity == Severity.SEV1
    assert (event.kind, event.metadata) == (EventKind.SEVERITY_CHANGE, {"from": 3, "to": 1})
    assert "Trending #1 on Weibo." in event.body
    assert audit_actions(incident) == ["incident.change_severity"]


def test_it_writes_nothing_when_the_severity_is_unchanged(org, people):
    incident = IncidentFactory(organization=org, severity=Severity.SEV2)
    incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=Severity.SEV2)
    assert fresh(incident).version == 1
    assert not history(incident).exists()


@pytest.mark.parametrize("severity", [0, 5, "1", True, None])
def test_it_refuses_an_unknown_severity(org, people, severity):
    incident = IncidentFactory(organization=org, severity=Severity.SEV2)
    with pytest.raises(InvalidInput) as exc:
        incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=severity)
    assert "severity" in exc.value.fields


def test_it_loses_the_severity_race(org, people):
    incident = IncidentFactory(organization=org, severity=Severity.SEV3)
    stale = fresh(incident)
    incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=Severity.SEV1)
    with pytest.raises(ConcurrentUpdate):
        incidents.incident_change_severity(incident=stale, actor=people["admin"], severity=Severity.SEV2)
    assert fresh(incident).severity == Severity.SEV1
    assert history(incident).count() == 1


def test_it_keeps_severity_for_the_commander(org, people):
    incident = IncidentFactory(organization=org, severity=Severity.SEV3)
    with pytest.raises(PermissionDenied):
        incidents.incident_change_severity(incident=incident, actor=people["approver"], severity=Severity.SEV1)


# Details


def test_it_updates_the_details(org, people):
    incident = IncidentFactory(organization=org)
    incidents.incident_update_details(incident=incident, actor=people["commander"], expected_version=1,
                                      title="Phone smoking on G1375", spokesperson=people["approver"],
                                      affected_channels=["weibo", "douyin"], tags=["battery"])
    incident = fresh(incident)
    assert (incident.title, incident.spokesperson, incident.affected_channels, incident.tags, incident.version) == (
        "Phone smoking on G1375", people["approver"], ["weibo", "douyin"], ["battery"], 2)
    event = history(incident).get()
    assert event.metadata["changes"]["spokesperson"] == people["approver"].pk
    assert audit_actions(incident) == ["incident.update"]


def test_it_re_dates_the_first_public_signal(org, people):
    incident = IncidentFactory(organization=org, first_public_signal_at=NOW - timedelta(hours=1),
                               detected_at=NOW - timedelta(minutes=30))
    earlier = NOW - timedelta(hours=3)
    incidents.incident_update_details(incident=incident, actor=people["commander"], first_public_signal_at=earlier)
    assert fresh(incident).first_public_signal_at == earlier


def test_it_refuses_a_first_public_signal_after_detection(org, people):
    incident = IncidentFactory(organization=org, first_public_signal_at=NOW - timedelta(hours=1),
                               detected_at=NOW - timedelta(minutes=30))
    with pytest.raises(InvalidInput) as exc:
        incidents.incident_update_details(incident=incident, actor=people["commander"],
                                          first_public_signal_at=NOW - timedelta(minutes=10))
    assert "first_public_signal_at" in exc.value.fields


@pytest.mark.parametrize("field", ["status", "severity", "acknowledged_at", "organization"])
def test_it_refuses_fields_that_change_through_their_own_service(org, people, field):
    incident = IncidentFactory(organization=org)
    with pytest.raises(InvalidInput) as exc:
        incidents.incident_update_details(incident=incident, actor=people["commander"], **{field: None})
    assert field in exc.value.fields


def test_it_writes_nothing_when_no_detail_changed(org, people):
    incident = IncidentFactory(organization=org, title="Same")
    incidents.incident_update_details(incident=incident, actor=people["commander"], title="Same")
    assert fresh(incident).version == 1
    assert not history(incident).exists()


def test_it_refuses_details_edited_against_an_old_version(org, people):
    incident = IncidentFactory(organization=org, title="Old")
    incidents.incident_update_details(incident=incident, actor=people["commander"], title="Newer")
    with pytest.raises(ConcurrentUpdate) as exc:
        incidents.incident_update_details(incident=incident, actor=people["admin"], expected_version=1,
                                          title="Mine")
    assert "version" in exc.value.fields
    assert fresh(incident).title == "Newer"


def test_it_loses_the_details_race_with_a_stale_copy(org, people):
    incident = IncidentFactory(organization=org, title="Old")
    stale = fresh(incident)
    incidents.incident_update_details(incident=incident, actor=people["commander"], title="Newer")
    with pytest.raises(ConcurrentUpdate):
        incidents.incident_update_details(incident=stale, actor=people["admin"], summary="Overwrites nothing")
    assert (fresh(incident).title, fresh(incident).summary) == ("Newer", "")
