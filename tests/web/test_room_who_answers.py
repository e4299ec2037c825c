"""The room says who answers: an owned deadline names its owner, and the paging panel where pages go."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis import clock
from crisis.models import DeadlineKind
from crisis.oncall.models import TargetKind
from crisis.services.owned_deadlines import owned_deadline_create
from tests.factories import member
from tests.oncall.factories import policy_with

pytestmark = pytest.mark.django_db

COMMANDER_LINE = "No on-call schedule yet: pages go to the incident commander."
POLICY_LINE = "No on-call schedule yet: pages go to the people the escalation policies name."


def _room(client_for, user, incident) -> str:
    return client_for(user).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()


def test_an_owned_deadline_in_the_golden_clock_names_its_owner_not_the_commander_role(
        client_for, people, open_incident, org):
    incident = open_incident()
    owner = member(org, first_name="Mei", last_name="Chen")
    deadline = owned_deadline_create(incident=incident, kind=DeadlineKind.INQUIRY, record_type="inquiry", record_id=1,
                                     name="Southern Weekly: recalled chargers?", owner=owner,
                                     due_at=clock.now() + timedelta(minutes=30))
    body = _room(client_for, people["viewer"], incident)
    row = body[body.index(f'id="deadline-{deadline.pk}"'):]
    row = row[: row.index("</li>")]
    assert "Mei Chen" in row
    assert "Commander" not in row


def test_without_a_schedule_pages_go_to_the_commander_unless_a_policy_names_someone(
        client_for, people, open_incident, org):
    incident = open_incident()
    assert COMMANDER_LINE in _room(client_for, people["viewer"], incident)
    policy_with(org, [{"target_kind": TargetKind.USER, "user": people["responder"]}], severities=[2])
    body = _room(client_for, people["viewer"], incident)
    assert POLICY_LINE in body
    assert COMMANDER_LINE not in body
