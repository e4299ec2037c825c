import pytest

from crisis.oncall.models import Page
from crisis.oncall.services.pages import page_trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(open_incident, people):
    incident = open_incident()
    return page_trigger(incident=incident, actor=people["commander"], title="Legal approver needed now")


def test_it_lists_an_incidents_pages(api_as, people, page):
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{page.incident_id}/pages/")
    assert [row["title"] for row in response.json()["results"]] == ["Legal approver needed now"]


def test_it_acknowledges_a_page_from_a_tool(api_as, people, page):
    response = api_as(people["responder"]).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    assert (response.status_code, response.json()["state"]) == (200, "acknowledged")
    assert Page.objects.get(pk=page.pk).acknowledged_by == people["responder"]


def test_it_answers_409_to_the_second_acknowledgement(api_as, people, page):
    api_as(people["responder"]).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    response = api_as(people["commander"]).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "invalid_transition")


def test_it_resolves_a_page_with_a_note(api_as, people, page):
    response = api_as(people["commander"]).post(f"/api/v1/pages/{page.pk}/resolve/", {"note": "Handled by phone"},
                                                format="json")
    assert (response.status_code, response.json()["state"]) == (200, "resolved")


def test_it_refuses_a_read_only_token(api_as, people, page):
    response = api_as(people["responder"], scopes=("read",)).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    assert response.status_code == 403
    assert Page.objects.get(pk=page.pk).state == "triggered"
