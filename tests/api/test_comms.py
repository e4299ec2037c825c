"""/api/v1/ for the comms freeze list, off-script posts and statement templates (crisis.comms)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.comms.models import FreezeEntry, OffScriptPost, StatementTemplate
from crisis.models import Statement

pytestmark = pytest.mark.django_db


def test_an_admin_replaces_the_freeze_list_and_anyone_reads_it(api_as, org, people, open_incident):
    open_incident(severity=1)
    body = {"severity_threshold": 2, "version": 0,
            "entries": [{"channel": "founder_account", "account": "@Founder", "note": "Quiet"},
                        {"account": "Sales livestream team"}]}
    response = api_as(people["admin"]).put(f"/api/v1/organizations/{org.pk}/comms-freeze/", body, format="json")
    assert response.status_code == 200, response.content
    read = api_as(people["viewer"]).get(f"/api/v1/organizations/{org.pk}/comms-freeze/").json()
    assert read["is_in_effect"] and read["version"] == 1 and len(read["incidents"]) == 1
    assert {"channel": None, "account": "Sales livestream team", "note": ""} in read["entries"]


def test_a_stale_freeze_edit_is_409(api_as, org, people):
    client = api_as(people["admin"])
    url = f"/api/v1/organizations/{org.pk}/comms-freeze/"
    assert client.put(url, {"severity_threshold": 2, "entries": [], "version": 0}, format="json").status_code == 200
    response = client.put(url, {"severity_threshold": 1, "entries": [], "version": 0}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("body", [
    {"severity_threshold": 7, "entries": []},
    {"severity_threshold": 2, "entries": [{}]},
    {"severity_threshold": 2, "entries": [{"channel": "myspace"}]},
    {"severity_threshold": 2, "entries": [{"channel": "weibo", "colour": "red"}]},
])
def test_a_bad_freeze_list_is_400_and_writes_nothing(api_as, org, people, body):
    response = api_as(people["admin"]).put(f"/api/v1/organizations/{org.pk}/comms-freeze/", body, format="json")
    assert response.status_code == 400, response.content
    assert not FreezeEntry.objects.exists()


def test_a_commander_cannot_change_the_freeze_list(api_as, org, people):
    response = api_as(people["commander"]).put(f"/api/v1/organizations/{org.pk}/comms-freeze/",
                                               {"severity_threshold": 2, "entries": []}, format="json")
    assert response.status_code == 403


def test_publishing_on_a_frozen_channel_is_400_on_overrides_freeze(api_as, org, people, open_incident):
    from crisis.comms.services.freeze import comms_freeze_set
    from crisis.services import statements

    comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=2, entries=[{"channel": "weibo"}])
    incident = open_incident(commander=people["commander"])
    draft = statements.statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                        kind="holding", body="我们已关注到。")
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    statements.statement_approve(statement=draft, actor=people["approver"])
    url = f"/api/v1/statements/{draft.pk}/publish/"
    refused = api_as(people["admin"]).post(url, {"overrides": {"freeze": "I say so"}}, format="json")
    assert refused.status_code == 400 and "overrides.freeze" in refused.json()["error"]["fields"]
    published = api_as(people["commander"]).post(url, {"overrides": {"freeze": "Families asked us"}}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_it_logs_an_off_script_post_that_went_out_an_hour_ago(api_as, people, open_incident):
    incident = open_incident()
    went_out = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/off-script-posts/", {
        "posted_by": "Founder", "account": "@Founder", "channel": "founder_account", "body": "樱花真美",
        "happened_at": went_out.isoformat(), "public_url": "https://weibo.example.com/1"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["is_off_script"] and data["status"] == "published"
    assert Statement.objects.get(pk=data["id"]).published_at == went_out
    assert OffScriptPost.objects.get().account == "@Founder"


@pytest.mark.parametrize("change", [
    {"happened_at": "2026-01-01T10:00:00"},  # no offset
    {"happened_at": None},
    {"posted_by": ""},
    {"channel": "myspace"},
])
def test_a_bad_off_script_post_is_400_and_writes_nothing(api_as, people, open_incident, change):
    incident = open_incident()
    body = {"posted_by": "Founder", "channel": "founder_account", "body": "樱花真美",
            "happened_at": timezone.now().isoformat()}
    body.update(change)
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/off-script-posts/", body,
                                                format="json")
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_templates_are_listed_created_edited_and_deleted(api_as, org, people):
    client = api_as(people["admin"])
    listed = client.get(f"/api/v1/organizations/{org.pk}/statement-templates/").json()["results"]
    assert len(listed) == 6
    created = client.post(f"/api/v1/organizations/{org.pk}/statement-templates/", {
        "kind": "holding", "language": "en", "incident_type": "recall", "body": "About the recall: {what}."},
        format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/statement-templates/{created.json()['id']}/"
    edited = client.put(url, {"body": "Recall: {what}.", "incident_type": "recall", "version": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert client.put(url, {"body": "Stale: {what}.", "version": 1}, format="json").status_code == 409
    assert client.put(url, {"body": "Bad {placeholder}"}, format="json").status_code == 400
    assert client.delete(url).status_code == 204
    assert StatementTemplate.objects.filter(organization=org).count() == 6


def test_a_responder_reads_but_cannot_edit_templates(api_as, org, people):
    client = api_as(people["responder"])
    template = StatementTemplate.objects.filter(organization=org).first()
    assert client.get(f"/api/v1/statement-templates/{template.pk}/").status_code == 200
    assert client.put(f"/api/v1/statement-templates/{template.pk}/", {"body": "x"}, format="json").status_code == 403


def test_an_incident_lists_its_templates_filled_in(api_as, people, open_incident):
    incident = open_incident(title="Door will not open", summary="")
    filled = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/statement-templates/").json()
    assert len(filled) == 6
    assert all("{" not in t["body"] for t in filled)
    assert any("Door will not open" in t["body"] for t in filled)
