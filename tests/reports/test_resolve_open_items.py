"""Declaring an incident over while its post-mortem still owes action items asks for a confirmation that
names them (crisis/reports/open_items.py, crisis/services/transition_checks.py)."""

import pytest
from django.urls import reverse

from crisis.models import AuditEntry, IncidentStatus, TimelineEvent
from crisis.reports.models import ActionItemStatus
from crisis.reports.services import action_item_create, action_item_update
from crisis.services.errors import InvalidInput
from crisis.services.incidents import incident_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident, people):
    return open_incident(commander=people["commander"])


def add_item(incident, people, title="换掉第三方电池供应商"):
    return action_item_create(incident=incident, actor=people["responder"], title=title, owner=people["approver"])


def written(incident):
    return (TimelineEvent.objects.filter(incident=incident).count(),
            AuditEntry.objects.filter(action="incident.transition").count())


def test_it_refuses_to_resolve_with_open_items_naming_them_and_writes_nothing(incident, people):
    add_item(incident, people)
    add_item(incident, people, title="Publish the battery test sites")
    before = written(incident)
    with pytest.raises(InvalidInput) as refused:
        incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.RESOLVED)
    (reason,) = refused.value.fields["confirm_open_items"]
    assert "换掉第三方电池供应商" in reason and "Publish the battery test sites" in reason
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACTIVE and incident.resolved_at is None
    assert written(incident) == before


def test_it_resolves_with_open_items_once_confirmed_and_records_them(incident, people):
    add_item(incident, people)
    incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.RESOLVED,
                        confirmed={"open_items"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    audit = AuditEntry.objects.get(action="incident.transition")
    assert audit.changes["confirmed"] == {"open_items": ["换掉第三方电池供应商"]}


def test_it_resolves_without_asking_when_every_item_is_done_or_dropped(incident, people):
    done = add_item(incident, people)
    dropped = add_item(incident, people, title="Dropped")
    action_item_update(item=done, actor=people["responder"], expected_version=1, status=ActionItemStatus.DONE)
    action_item_update(item=dropped, actor=people["responder"], expected_version=1, status=ActionItemStatus.DROPPED)
    incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.RESOLVED)
    assert incident.status == IncidentStatus.RESOLVED


def test_containing_does_not_ask(incident, people):
    add_item(incident, people)
    incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.CONTAINED)
    assert incident.status == IncidentStatus.CONTAINED


def test_it_names_ten_items_and_counts_the_rest(incident, people):
    for n in range(13):
        add_item(incident, people, title=f"Item {n:02d}")
    with pytest.raises(InvalidInput) as refused:
        incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.RESOLVED)
    (reason,) = refused.value.fields["confirm_open_items"]
    assert "Item 09" in reason and "Item 10" not in reason and "and 3 more" in reason
    assert reason.startswith("13 action items are still open")


def test_the_room_shows_a_confirm_step_listing_the_items(client_for, incident, people):
    add_item(incident, people)
    client = client_for(people["commander"])
    url = reverse("crisis:incident-status", args=[incident.pk])
    response = client.post(url, {"status": "resolved"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "换掉第三方电池供应商" in page and 'name="confirm_open_items"' in page
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACTIVE
    client.post(url, {"status": "resolved", "confirm_open_items": "on"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
