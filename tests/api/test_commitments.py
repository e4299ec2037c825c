"""/api/v1/ for promises: suggest from a statement's text, confirm, edit, dismiss, keep, withdraw."""

from datetime import timedelta

import pytest

from crisis.commitments.models import Commitment, CommitmentState
from crisis.models import DeadlineState, TimelineEvent
from crisis.services.statements import statement_create, statement_record_published
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


def _published(incident, people, body, at_minutes):
    return statement_record_published(incident=incident, actor=people["commander"], channel="weibo", kind="holding",
                                      body=body, published_at=T0 + timedelta(minutes=at_minutes))


@pytest.fixture
def suggested(incident_at_t0, people, api_as, at):
    """A statement published at T0+10 promising progress within 30 minutes, its promise suggested over the API."""
    incident = incident_at_t0()
    at(12)
    statement = _published(incident, people, "我们高度重视。我们将在30分钟内公布调查进展。", 10)
    answer = api_as(people["responder"]).post(f"/api/v1/statements/{statement.pk}/commitments/suggest/")
    assert answer.status_code == 200, answer.json()
    (row,) = answer.json()
    return incident, statement, row


def test_it_suggests_the_promises_in_a_statement(suggested):
    incident, statement, row = suggested
    assert (row["state"], row["due_phrase"], row["audience"]) == ("suggested", "30分钟内", "public")
    assert row["due_at"].startswith((T0 + timedelta(minutes=40)).isoformat()[:19].replace("+00:00", ""))


def test_confirming_tracks_it_at_once_on_a_published_statement(suggested, people, api_as):
    incident, statement, row = suggested
    answer = api_as(people["responder"]).post(f"/api/v1/commitments/{row['id']}/confirm/",
                                              {"owner": people["approver"].pk, "warn_before_minutes": 10,
                                               "version": row["version"]}, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["state"], body["owner"], body["warn_before_minutes"]) == ("open", people["approver"].pk, 10)
    assert body["deadline"] is not None


def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(suggested, people, api_as):
    incident, statement, row = suggested
    events = TimelineEvent.objects.count()
    answer = api_as(people["responder"]).post(f"/api/v1/commitments/{row['id']}/confirm/",
                                              {"owner": people["outsider"].pk}, format="json")
    assert answer.status_code == 400
    assert "owner" in answer.json()["error"]["fields"]
    assert Commitment.objects.get(pk=row["id"]).state == CommitmentState.SUGGESTED
    assert TimelineEvent.objects.count() == events


def test_a_stale_version_is_a_409(suggested, people, api_as):
    incident, statement, row = suggested
    client = api_as(people["responder"])
    assert client.post(f"/api/v1/commitments/{row['id']}/edit/", {"audience": "media", "audience_name": "财新"},
                       format="json").status_code == 200
    answer = client.post(f"/api/v1/commitments/{row['id']}/confirm/", {"version": row["version"]}, format="json")
    assert answer.status_code == 409


def test_it_is_kept_by_a_later_statement_and_listed_per_incident(suggested, people, api_as, at):
    incident, statement, row = suggested
    client = api_as(people["responder"])
    client.post(f"/api/v1/commitments/{row['id']}/confirm/", {}, format="json")
    at(40)
    later = _published(incident, people, "调查进展：初步确认为电池故障。", 35)
    answer = client.post(f"/api/v1/commitments/{row['id']}/keep/", {"kept_by_statement": later.pk}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "kept"
    assert Commitment.objects.get(pk=row["id"]).deadline.state == DeadlineState.MET
    listed = client.get(f"/api/v1/incidents/{incident.pk}/commitments/?state=kept").json()["results"]
    assert [item["id"] for item in listed] == [row["id"]]


def test_keeping_with_another_incidents_event_is_a_400(suggested, people, api_as, open_incident):
    incident, statement, row = suggested
    client = api_as(people["responder"])
    client.post(f"/api/v1/commitments/{row['id']}/confirm/", {}, format="json")
    other = open_incident().events.first()
    answer = client.post(f"/api/v1/commitments/{row['id']}/keep/", {"kept_by_event": other.pk}, format="json")
    assert answer.status_code == 400
    assert "kept_by_event" in answer.json()["error"]["fields"]


def test_withdrawing_needs_a_commander_and_a_reason(suggested, people, api_as):
    incident, statement, row = suggested
    api_as(people["responder"]).post(f"/api/v1/commitments/{row['id']}/confirm/", {}, format="json")
    assert api_as(people["responder"]).post(f"/api/v1/commitments/{row['id']}/withdraw/", {"reason": "x"},
                                            format="json").status_code == 403
    answer = api_as(people["commander"]).post(f"/api/v1/commitments/{row['id']}/withdraw/",
                                              {"reason": "监管部门要求暂缓"}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["withdrawn_reason"]) == ("withdrawn", "监管部门要求暂缓")


def test_dismissing_a_draft_suggestion(incident_at_t0, people, api_as):
    incident = incident_at_t0()
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="We will publish the findings by Friday.")
    client = api_as(people["responder"])
    (row,) = client.post(f"/api/v1/statements/{statement.pk}/commitments/suggest/").json()
    assert client.post(f"/api/v1/commitments/{row['id']}/dismiss/", {}, format="json").json()["state"] == "dismissed"
    listed = client.get(f"/api/v1/statements/{statement.pk}/commitments/").json()["results"]
    assert [item["state"] for item in listed] == ["dismissed"]


def test_a_viewer_cannot_suggest(incident_at_t0, people, api_as):
    incident = incident_at_t0()
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="We will publish the findings by Friday.")
    answer = api_as(people["viewer"]).post(f"/api/v1/statements/{statement.pk}/commitments/suggest/")
    assert answer.status_code == 403
    assert not Commitment.objects.exists()
