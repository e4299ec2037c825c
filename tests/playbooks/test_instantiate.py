from datetime import timedelta

import pytest

from crisis.models import Breach, DeadlineState, EventKind, Playbook
from crisis.services import incidents
from tests.deadline_helpers import T0, by_step

pytestmark = pytest.mark.django_db

SEV2_OFFSETS = {"acknowledge": 15, "sentiment-baseline": 30, "holding-statement": 60, "stakeholder-briefing": 120,
                "full-statement": 240, "sentiment-cadence": 60, "public-update": 480, "follow-up-report": 1440}


def test_it_installs_the_golden_four_hours_once_per_organization(incident_at_t0, org):
    incident_at_t0()
    incident_at_t0()
    assert Playbook.objects.filter(organization=org).count() == 1


def test_it_creates_one_deadline_per_step_at_its_offset_from_the_first_public_signal(incident_at_t0):
    incident = incident_at_t0()
    due = {key: d.due_at for key, d in by_step(incident).items()}
    assert due == {key: T0 + timedelta(minutes=m) for key, m in SEV2_OFFSETS.items()}


def test_it_halves_the_first_four_offsets_for_sev1(incident_at_t0):
    incident = incident_at_t0(severity=1)
    due = {key: (d.due_at - T0).total_seconds() / 60 for key, d in by_step(incident).items()}
    assert due["acknowledge"] == 7.5
    assert due["sentiment-baseline"] == 15
    assert due["holding-statement"] == 30
    assert due["stakeholder-briefing"] == 60
    assert due["full-statement"] == 240


def test_it_snapshots_the_playbook_so_later_edits_do_not_move_the_incident(incident_at_t0):
    incident = incident_at_t0()
    incident.playbook.steps.filter(key="holding-statement").update(offset_seconds=10)
    incidents.incident_change_severity(incident=incident, actor=None, severity=3)
    assert by_step(incident)["holding-statement"].due_at == T0 + timedelta(hours=1)


def test_it_breaches_at_once_what_a_back_dated_signal_has_already_passed(open_incident, at):
    at(45)
    incident = open_incident(first_public_signal_at=T0)
    states = {key: d.state for key, d in by_step(incident).items()}
    assert states["acknowledge"] == DeadlineState.BREACHED
    assert states["sentiment-baseline"] == DeadlineState.BREACHED
    assert states["holding-statement"] == DeadlineState.PENDING
    assert Breach.objects.filter(incident=incident).count() == 2
    assert incident.events.filter(kind=EventKind.DEADLINE, body__startswith="Deadline already missed").count() == 2


def test_it_moves_pending_deadlines_when_severity_changes(incident_at_t0, people):
    incident = incident_at_t0(severity=2)
    before = by_step(incident)["holding-statement"]
    incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=1)
    after = by_step(incident)["holding-statement"]
    assert after.due_at == T0 + timedelta(minutes=30)
    assert after.version == before.version + 1
    assert incident.events.filter(body__startswith="Deadline moved").exists()


def test_it_breaches_at_once_a_deadline_that_a_severity_change_moves_into_the_past(incident_at_t0, people, at):
    incident = incident_at_t0(severity=2)
    at(40)
    incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=1)
    assert by_step(incident)["holding-statement"].state == DeadlineState.BREACHED  # now due at T+30


def test_it_moves_deadlines_with_a_re_dated_first_public_signal(incident_at_t0, people):
    incident = incident_at_t0()
    incidents.incident_update_details(incident=incident, actor=people["commander"],
                                      first_public_signal_at=T0 - timedelta(minutes=2))
    assert by_step(incident)["full-statement"].due_at == T0 + timedelta(minutes=238)


def test_it_cancels_pending_deadlines_when_the_incident_is_resolved(incident_at_t0, people):
    incident = incident_at_t0()
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
    assert not incident.deadlines.filter(state=DeadlineState.PENDING).exists()
    assert incident.deadlines.filter(state=DeadlineState.CANCELLED).count() == 8
