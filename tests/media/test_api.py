"""The media desk over the API: stakeholders (and CSV import), inquiries and their transitions, briefings."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis.media.models import Briefing, Inquiry, Stakeholder
from crisis.models import AuditEntry
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


def test_it_creates_lists_and_edits_a_stakeholder_with_compare_and_set(api_as, people, org):
    client = api_as(people["responder"])
    url = reverse("api:stakeholder-list", args=[org.pk])
    created = client.post(url, {"name": "李娜", "kind": "journalist", "email": "li.na@caixin.example",
                                "tags": ["press"]}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["reach_via"], body["tags"], body["version"]) == ("李娜", "email", ["press"], 1)
    assert [s["id"] for s in client.get(url).json()["results"]] == [body["id"]]
    detail = reverse("api:stakeholder-detail", args=[body["id"]])
    edited = client.patch(detail, {"version": 1, "outlet": "财新"}, format="json")
    assert (edited.status_code, edited.json()["outlet"], edited.json()["version"]) == (200, "财新", 2)
    stale = client.patch(detail, {"version": 1, "outlet": "Other"}, format="json")
    assert stale.status_code == 409
    assert Stakeholder.objects.get().outlet == "财新"


def test_a_bad_stakeholder_is_a_400_naming_the_field_and_writes_nothing(api_as, people, org):
    response = api_as(people["responder"]).post(reverse("api:stakeholder-list", args=[org.pk]),
                                                 {"name": "x", "kind": "spy"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    assert not Stakeholder.objects.exists()


def test_somebody_already_on_the_list_is_a_409_naming_the_field(api_as, people, org):
    """Not bad input: a conflict with what is stored, as the schema declares (found by the live contract run)."""
    client, url = api_as(people["responder"]), reverse("api:stakeholder-list", args=[org.pk])
    entry = {"name": "Brand 0", "kind": "outlet", "handle": "@lumen_watch"}
    assert client.post(url, entry, format="json").status_code == 201
    again = client.post(url, {**entry, "name": "Brand 1"}, format="json")
    assert again.status_code == 409, again.content
    assert (again.json()["error"]["code"], list(again.json()["error"]["fields"])) == ("conflict", ["handle"])
    assert Stakeholder.objects.count() == 1


def test_the_csv_import_answers_counts_and_names_bad_lines(api_as, people, org):
    client = api_as(people["responder"])
    url = reverse("api:stakeholder-import", args=[org.pk])
    good = "\ufeff姓名,类型,邮箱\n王芳,记者,wang@bjnews.example\n"
    assert client.post(url, {"csv": good}, format="json").json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert client.post(url, {"csv": good}, format="json").json() == {"created": 0, "updated": 0, "unchanged": 1}
    bad = client.post(url, {"csv": "name,kind,email\nA,kol,a@x.example\nB,spy,b@x.example\n"}, format="json")
    assert bad.status_code == 400
    assert "line_3.kind" in bad.json()["error"]["fields"]
    assert Stakeholder.objects.count() == 1
    assert AuditEntry.objects.filter(action="stakeholder.import").count() == 2


def test_an_inquiry_is_logged_late_answered_and_a_stale_close_is_refused(api_as, people, incident, at, published):
    at(50)
    client = api_as(people["responder"])
    logged = client.post(reverse("api:inquiry-list", args=[incident.pk]), {
        "asker_name": "王芳", "asked_via": "wechat", "question": "伤者情况？",
        "asked_at": (T0 + timedelta(minutes=10)).isoformat(), "reply_within_minutes": 30,
        "owner": people["approver"].pk}, format="json")
    assert logged.status_code == 201, logged.content
    body = logged.json()
    assert (body["state"], body["owner"]["id"], body["reply_by"]) == (
        "open", people["approver"].pk, (T0 + timedelta(minutes=40)).isoformat().replace("+00:00", "Z"))
    inquiry_id = body["id"]
    assert [i["id"] for i in client.get(reverse("api:inquiry-list", args=[incident.pk])).json()["results"]] == [
        inquiry_id]
    answered = client.post(reverse("api:inquiry-answer", args=[inquiry_id]), {
        "version": 1, "answer": "见声明。", "statement": published.pk}, format="json")
    assert (answered.status_code, answered.json()["state"], answered.json()["statement"]) == (
        200, "answered", published.pk)
    stale = client.post(reverse("api:inquiry-close", args=[inquiry_id]), {"version": 1, "reason": "dup"},
                        format="json")
    assert stale.status_code == 409
    assert Inquiry.objects.get().state == "answered"


def test_a_bad_inquiry_is_a_400_and_writes_nothing(api_as, people, incident, at):
    at(10)
    response = api_as(people["responder"]).post(reverse("api:inquiry-list", args=[incident.pk]), {
        "asked_via": "phone", "question": "伤者情况？", "owner": people["outsider"].pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"asker_name", "owner"}
    assert not Inquiry.objects.exists()


def test_a_briefing_is_recorded_and_listed(api_as, people, incident, at, published, journalist):
    at(30)
    client = api_as(people["responder"])
    url = reverse("api:briefing-list", args=[incident.pk])
    created = client.post(url, {"statement": published.pk, "tags": ["press"]}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["recipients"], created.json()["recipient_count"]) == ([journalist.pk], 1)
    assert [b["id"] for b in client.get(url).json()["results"]] == [Briefing.objects.get().pk]
    refused = client.post(url, {"statement": published.pk, "tags": ["nobody"]}, format="json")
    assert refused.status_code == 400 and "tags" in refused.json()["error"]["fields"]
