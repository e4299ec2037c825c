"""POST /api/v1/incidents/import/ and the schema it publishes (docs/import.md)."""

import pytest
from django.urls import reverse

from crisis.models import Incident, TimelineEvent
from crisis.oncall.models import Page
from tests.scenarios import night_crisis as crisis

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/import/"


@pytest.fixture(autouse=True)
def eight_months_on(time_machine):
    time_machine.move_to(crisis.at(60 * 24 * 240), tick=False)


def document(org, **changes):
    return {**crisis.import_document(), "organization": org.pk, **changes}


def test_it_imports_a_past_crisis_and_answers_with_the_incident(api_as, org, people):
    response = api_as(people["commander"]).post(URL, document(org), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["incident"]["is_retrospective"] is True
    assert (body["statements"], body["checkpoints"]) == (2, 8)
    incident = Incident.objects.get(pk=body["incident"]["id"])
    assert crisis.verdicts_of(incident) == crisis.VERDICTS
    assert not Page.objects.filter(incident=incident).exists()


def test_it_names_the_item_and_field_it_refuses_and_writes_nothing(api_as, org, people):
    bad = document(org)
    bad["statements"][1]["published_at"] = "yesterday evening"
    response = api_as(people["commander"]).post(URL, bad, format="json")
    assert response.status_code == 400
    assert "statements[1].published_at" in response.json()["error"]["fields"]
    assert not Incident.objects.exists() and not TimelineEvent.objects.exists()


def test_it_asks_which_organization(api_as, people):
    response = api_as(people["commander"]).post(URL, crisis.import_document(), format="json")
    assert response.status_code == 400
    assert "organization" in response.json()["error"]["fields"]


def test_it_hides_another_organization(api_as, people, org):
    response = api_as(people["outsider"]).post(URL, document(org), format="json")
    assert response.status_code == 404
    assert not Incident.objects.exists()


def test_it_needs_the_commander_role(api_as, org, people):
    response = api_as(people["responder"]).post(URL, document(org), format="json")
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_it_needs_a_write_token(api_as, org, people):
    response = api_as(people["commander"], scopes=("read",)).post(URL, document(org), format="json")
    assert response.status_code == 403


def test_it_publishes_its_schema_to_anyone(client):
    response = client.get(reverse("api:incident-import-schema"))
    assert response.status_code == 200
    assert response.json()["properties"]["format"]["const"] == "golden-hours/incident-import/1"


def _far_offset(moment: str) -> str:
    return moment[:19] + "+16:00"  # PostgreSQL refuses offsets beyond 15:59; no clock on Earth is past 14:00


@pytest.mark.parametrize(("section", "index", "field"), [
    ("incident", None, "first_public_signal_at"), ("statements", 1, "published_at"),
    ("checkpoints", 1, "measured_at")])
def test_it_refuses_an_offset_no_clock_uses_and_writes_nothing(api_as, org, people, section, index, field):
    bad = document(org)
    item = bad[section] if index is None else bad[section][index]
    item[field] = _far_offset(item[field])
    response = api_as(people["commander"]).post(URL, bad, format="json")

    where = section if index is None else f"{section}[{index}]"
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        f"{where}.{field}": ["The time zone offset must be between -14:00 and +14:00."]}
    assert not Incident.objects.exists()
