"""Post-mortems, action items, reports and analytics through the API: the desk's rules, for tools."""

import pytest
from django.urls import reverse

from crisis.models import AuditEntry, TimelineEvent
from crisis.reports.models import ActionItem, ActionItemStatus, ReportFile, ReportStatus
from crisis.reports.services import report_build

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


@pytest.fixture
def incident(open_incident):
    return open_incident()


# The post-mortem's written sections


def test_it_shows_an_unwritten_postmortem_as_empty_at_version_0(api_as, people, incident):
    response = api_as(people["viewer"]).get(url("postmortem-detail", incident_id=incident.pk))
    assert response.status_code == 200
    assert response.json() == {"incident": incident.pk, "summary": "", "root_cause": "", "went_well": "",
                               "went_badly": "", "version": 0, "updated_by": None, "updated_at": None}


def test_it_saves_postmortem_sections_with_a_line_and_an_audit_row(api_as, people, incident):
    client = api_as(people["responder"])  # making its token writes an audit row of its own
    lines, audits = TimelineEvent.objects.count(), AuditEntry.objects.count()
    response = client.patch(url("postmortem-detail", incident_id=incident.pk),
                            {"version": 0, "root_cause": "Legal review took 40 min."}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["root_cause"] == "Legal review took 40 min." and body["version"] == 1
    assert body["updated_by"]["id"] == people["responder"].pk
    assert TimelineEvent.objects.count() == lines + 1 and AuditEntry.objects.count() == audits + 1


def test_it_answers_a_stale_postmortem_edit_with_409_and_keeps_the_first(api_as, people, incident):
    client = api_as(people["responder"])
    client.patch(url("postmortem-detail", incident_id=incident.pk), {"version": 0, "summary": "One."}, format="json")
    response = client.patch(url("postmortem-detail", incident_id=incident.pk), {"version": 0, "summary": "Two."},
                            format="json")
    assert response.status_code == 409
    assert client.get(url("postmortem-detail", incident_id=incident.pk)).json()["summary"] == "One."


@pytest.mark.parametrize("body, field", [
    ({"summary": "No version."}, "version"),
    ({"version": 0, "sumary": "Typo."}, "sumary"),
    ({"version": 0, "summary": 12}, "summary"),
    ({"version": -1}, "version"),
])
def test_it_refuses_a_bad_postmortem_edit_naming_the_field(api_as, people, incident, body, field):
    response = api_as(people["responder"]).patch(url("postmortem-detail", incident_id=incident.pk), body,
                                                 format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"], response.content


def test_it_refuses_a_viewer_writing_the_postmortem(api_as, people, incident):
    response = api_as(people["viewer"]).patch(url("postmortem-detail", incident_id=incident.pk),
                                              {"version": 0, "summary": "x"}, format="json")
    assert response.status_code == 403


# Action items


def test_it_adds_an_action_item_with_an_owner(api_as, people, incident):
    response = api_as(people["responder"]).post(
        url("action-item-list", incident_id=incident.pk),
        {"title": "Pre-approve holding statements with legal", "owner": people["approver"].pk,
         "due_on": "2026-12-31"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["id"] == people["approver"].pk and body["due_on"] == "2026-12-31"
    assert body["status"] == ActionItemStatus.OPEN and body["version"] == 1
    assert ActionItem.objects.get(pk=body["id"]).incident == incident


def test_it_refuses_an_owner_from_outside_the_organization_without_saying_who_they_are(api_as, people, incident):
    response = api_as(people["responder"]).post(url("action-item-list", incident_id=incident.pk),
                                                {"title": "x", "owner": people["outsider"].pk}, format="json")
    assert response.status_code == 400 and "owner" in response.json()["error"]["fields"]
    assert people["outsider"].get_username() not in response.content.decode()
    assert not ActionItem.objects.exists()


def test_it_closes_an_action_item_and_refuses_a_stale_change(api_as, people, incident):
    client = api_as(people["responder"])
    item = client.post(url("action-item-list", incident_id=incident.pk), {"title": "Drill"}, format="json").json()
    done = client.patch(url("action-item-detail", action_item_id=item["id"]),
                        {"version": 1, "status": "done"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"] is not None
    stale = client.patch(url("action-item-detail", action_item_id=item["id"]),
                         {"version": 1, "status": "open"}, format="json")
    assert stale.status_code == 409
    assert ActionItem.objects.get(pk=item["id"]).status == ActionItemStatus.DONE


def test_it_lists_the_organizations_open_action_items_across_incidents(api_as, people, org, open_incident):
    client = api_as(people["responder"])
    first, second = open_incident(title="First"), open_incident(title="Second")
    client.post(url("action-item-list", incident_id=first.pk), {"title": "Open one"}, format="json")
    done = client.post(url("action-item-list", incident_id=second.pk), {"title": "Done one"}, format="json").json()
    client.patch(url("action-item-detail", action_item_id=done["id"]), {"version": 1, "status": "done"},
                 format="json")
    response = api_as(people["viewer"]).get(url("organization-action-item-list", organization_id=org.pk),
                                            {"status": ["open", "in_progress"]})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Open one"]


def test_it_refuses_a_viewer_adding_an_action_item(api_as, people, incident):
    response = api_as(people["viewer"]).post(url("action-item-list", incident_id=incident.pk), {"title": "x"},
                                             format="json")
    assert response.status_code == 403 and not ActionItem.objects.exists()


# The report and analytics


def test_it_gives_the_report_document_of_an_incident_with_nothing_recorded(api_as, people, incident):
    response = api_as(people["viewer"]).get(url("report-detail", incident_id=incident.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["incident"]["id"] == incident.pk
    assert body["statements"] == [] and body["action_items"] == []


def test_it_gives_the_organizations_analytics(api_as, people, org, open_incident):
    open_incident(title="One")
    response = api_as(people["viewer"]).get(url("analytics-detail", organization_id=org.pk))
    assert response.status_code == 200
    assert response.json()["incident_count"] == 1


# Report files


def test_it_queues_a_report_file_then_serves_it_once_built(api_as, people, incident):
    client = api_as(people["responder"])
    queued = client.post(url("report-file-list", incident_id=incident.pk), {"format": "md"}, format="json")
    assert queued.status_code == 202, queued.content
    assert queued.json()["status"] == ReportStatus.QUEUED and queued.json()["download_url"] is None
    file_id = queued.json()["id"]
    assert client.get(url("report-file-download", report_file_id=file_id)).status_code == 404

    report_build(report_id=file_id)

    ready = client.get(url("report-file-detail", report_file_id=file_id)).json()
    assert ready["status"] == ReportStatus.DONE and ready["progress"] == 100
    download = client.get(ready["download_url"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/markdown")
    assert "default-src 'none'" in download["Content-Security-Policy"]
    assert incident.title in b"".join(download.streaming_content).decode()


def test_it_refuses_an_unknown_report_format_and_a_viewers_request(api_as, people, incident):
    bad = api_as(people["responder"]).post(url("report-file-list", incident_id=incident.pk), {"format": "docx"},
                                           format="json")
    assert bad.status_code == 400 and "format" in bad.json()["error"]["fields"]
    viewer = api_as(people["viewer"]).post(url("report-file-list", incident_id=incident.pk), {"format": "md"},
                                           format="json")
    assert viewer.status_code == 403
    assert not ReportFile.objects.exists()
