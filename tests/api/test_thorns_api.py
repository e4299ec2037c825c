"""The API side of "thorns": resolving with open action items, and links between incidents."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from crisis.models import IncidentStatus, TimelineEvent
from crisis.reports.services import action_item_create
from tests.factories import IncidentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident, people):
    return open_incident(commander=people["commander"])


@pytest.fixture
def past_incident(open_incident):
    return open_incident(title="The battery fire of March", first_public_signal_at=timezone.now() - timedelta(days=90))


def add_item(incident, people, title="换掉第三方电池供应商"):
    return action_item_create(incident=incident, actor=people["responder"], title=title, owner=people["approver"])


def test_the_api_refuses_then_resolves_with_the_confirmation(api_as, incident, people):
    add_item(incident, people)
    client = api_as(people["commander"])
    url = f"/api/v1/incidents/{incident.pk}/transition/"
    refused = client.post(url, {"status": "resolved"}, format="json")
    assert refused.status_code == 400
    assert "换掉第三方电池供应商" in refused.json()["error"]["fields"]["confirm_open_items"][0]
    bad = client.post(url, {"status": "resolved", "confirm_open_items": "maybe"}, format="json")
    assert bad.status_code == 400
    resolved = client.post(url, {"status": "resolved", "confirm_open_items": True}, format="json")
    assert resolved.status_code == 200
    assert resolved.json()["status"] == IncidentStatus.RESOLVED


def test_it_links_lists_and_unlinks_both_ways(api_as, incident, past_incident, people):
    client = api_as(people["responder"])
    url = f"/api/v1/incidents/{incident.pk}/related-incidents/"
    created = client.post(url, {"related_incident": past_incident.pk}, format="json")
    assert created.status_code == 201 and created.json()["id"] == past_incident.pk
    assert client.post(url, {"related_incident": past_incident.pk}, format="json").status_code == 200
    listed = client.get(f"/api/v1/incidents/{past_incident.pk}/related-incidents/").json()["results"]
    assert [row["id"] for row in listed] == [incident.pk]
    gone = client.delete(f"/api/v1/incidents/{past_incident.pk}/related-incidents/{incident.pk}/")
    assert gone.status_code == 204
    assert client.get(url).json()["results"] == []
    assert client.delete(f"{url}{past_incident.pk}/").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({}, "related_incident"), ({"related_incident": "12"}, "related_incident"), ({"related_incident": 0},
                                                                                 "related_incident"),
    ({"related_incident": 99999}, "incident"), ({"related_incident": 1, "extra": 1}, "extra"),
])
def test_it_refuses_bad_link_input_with_the_field(api_as, incident, people, body, field):
    before = TimelineEvent.objects.count()
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/related-incidents/", body,
                                                format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert TimelineEvent.objects.count() == before


def test_it_refuses_linking_to_itself_or_to_another_organizations_incident(api_as, incident, people):
    client = api_as(people["responder"])
    url = f"/api/v1/incidents/{incident.pk}/related-incidents/"
    foreign = IncidentFactory(organization=OrganizationFactory())
    for other in (incident.pk, foreign.pk):
        response = client.post(url, {"related_incident": other}, format="json")
        assert response.status_code == 400 and "incident" in response.json()["error"]["fields"]
    assert not incident.related_incidents.exists()


def test_a_viewer_cannot_link(api_as, incident, past_incident, people):
    response = api_as(people["viewer"]).post(f"/api/v1/incidents/{incident.pk}/related-incidents/",
                                             {"related_incident": past_incident.pk}, format="json")
    assert response.status_code == 403


def test_an_item_marked_done_with_an_earlier_completion_time_is_judged_on_it(api_as, incident, people):
    from crisis.models import DeadlineState
    from crisis.reports.action_item_deadlines import action_item_deadline

    item = action_item_create(incident=incident, actor=people["responder"], title="x", owner=people["approver"],
                              due_on=timezone.localdate() + timedelta(days=7))
    done_at = timezone.now() - timedelta(minutes=1)
    client = api_as(people["responder"])
    bad = client.patch(f"/api/v1/action-items/{item.pk}/", {"version": 1, "completed_at": done_at.isoformat()},
                       format="json")
    assert bad.status_code == 400 and "completed_at" in bad.json()["error"]["fields"]
    done = client.patch(f"/api/v1/action-items/{item.pk}/",
                        {"version": 1, "status": "done", "completed_at": done_at.isoformat()}, format="json")
    assert done.status_code == 200
    item.refresh_from_db()
    assert item.completed_at == done_at
    assert action_item_deadline(item).state == DeadlineState.MET


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_it_refuses_a_due_date_out_of_range(api_as, incident, people, due):
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/action-items/",
                                                {"title": "x", "due_on": due}, format="json")
    assert response.status_code == 400 and "due_on" in response.json()["error"]["fields"]


def test_the_report_leaves_action_item_deadlines_to_their_own_section(api_as, incident, people):
    add_item(incident, people)
    action_item_create(incident=incident, actor=people["responder"], title="Long overdue", due_on=date(2000, 2, 29))
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/report/")
    assert response.status_code == 200
    assert {d["kind"] for d in response.json()["deadlines"]} <= {"playbook", "surge"}
    assert [i["is_open"] for i in response.json()["action_items"]] == [True, True]
