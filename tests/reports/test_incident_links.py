"""Links between incidents: both ways, on both timelines, in the audit log and in both post-mortems
(crisis/reports/links.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import AuditEntry, TimelineEvent
from crisis.reports.assembly import report_assemble
from crisis.reports.links import incident_link, incident_unlink
from crisis.reports.renderers import render_html, render_json, render_markdown
from crisis.reports.services import action_item_create
from crisis.services.errors import InvalidInput, PermissionDenied
from tests.factories import IncidentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(open_incident):
    past = open_incident(title="The battery fire of March",
                         first_public_signal_at=timezone.now() - timedelta(days=200))
    now = open_incident(title="Phone smoking on a train")
    return now, past


def link_events(incident):
    return TimelineEvent.objects.filter(incident=incident, metadata__has_key="related_incident_id")


def test_it_links_both_ways_with_a_line_on_both_timelines_and_an_audit_row(pair, people):
    now, past = pair
    assert incident_link(incident=now, other=past, actor=people["responder"]) is True
    assert list(now.related_incidents.all()) == [past]
    assert list(past.related_incidents.all()) == [now]
    assert link_events(now).get().body == f"Linked to incident #{past.pk}, The battery fire of March."
    assert link_events(past).get().body == f"Linked to incident #{now.pk}, Phone smoking on a train."
    assert AuditEntry.objects.filter(action="incident.link").count() == 1


def test_linking_again_writes_nothing(pair, people):
    now, past = pair
    incident_link(incident=now, other=past, actor=people["responder"])
    assert incident_link(incident=past, other=now, actor=people["commander"]) is False
    assert link_events(now).count() == 1 and AuditEntry.objects.filter(action="incident.link").count() == 1


def test_it_unlinks_both_ways(pair, people):
    now, past = pair
    incident_link(incident=now, other=past, actor=people["responder"])
    assert incident_unlink(incident=past, other=now, actor=people["responder"]) is True
    assert not now.related_incidents.exists() and not past.related_incidents.exists()
    assert link_events(now).count() == 2 and AuditEntry.objects.filter(action="incident.unlink").count() == 1
    assert incident_unlink(incident=past, other=now, actor=people["responder"]) is False


@pytest.mark.parametrize("other", ["self", "foreign", "none"])
def test_it_refuses_a_bad_link_and_writes_nothing(pair, people, other):
    now, _past = pair
    target = {"self": now, "foreign": IncidentFactory(organization=OrganizationFactory()), "none": None}[other]
    before = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        incident_link(incident=now, other=target, actor=people["responder"])
    assert "incident" in refused.value.fields
    assert TimelineEvent.objects.count() == before and not now.related_incidents.exists()


def test_a_viewer_cannot_link(pair, people):
    now, past = pair
    with pytest.raises(PermissionDenied):
        incident_link(incident=now, other=past, actor=people["viewer"])


def test_both_post_mortems_show_the_link(pair, people):
    now, past = pair
    action_item_create(incident=past, actor=people["responder"], title="换掉第三方电池供应商")
    incident_link(incident=now, other=past, actor=people["responder"])
    for this, that in ((now, past), (past, now)):
        report = report_assemble(incident=this)
        assert [r["id"] for r in report["related_incidents"]] == [that.pk]
        assert f"#{that.pk} {that.title}" in render_html(report)
        assert f"#{that.pk} {that.title}" in render_markdown(report)
        render_json(report)  # validates against the schema
    assert report_assemble(incident=now)["related_incidents"][0]["open_action_items"] == 1


def test_a_post_mortem_without_links_says_so(pair):
    now, _past = pair
    report = report_assemble(incident=now)
    assert report["related_incidents"] == []
    assert "No incident is linked to this one." in render_markdown(report)


def test_a_post_mortem_lists_its_open_action_items_first(pair, people):
    now, _past = pair
    action_item_create(incident=now, actor=people["responder"], title="换掉第三方电池供应商", owner=people["approver"])
    report = report_assemble(incident=now)
    html, markdown = render_html(report), render_markdown(report)
    assert html.index("1 action item still open") < html.index("Response at a glance")
    assert markdown.index("1 action item still open") < markdown.index("Response at a glance")
    assert "换掉第三方电池供应商" in html[: html.index("Response at a glance")]


def test_the_room_links_and_unlinks_a_past_incident(pair, people, client_for):
    now, past = pair
    client = client_for(people["responder"])
    url = reverse("reports:incident-link", args=[now.pk])
    assert client.post(url, {"related_incident": past.pk}).status_code == 302
    assert list(past.related_incidents.all()) == [now]
    client.post(url, {"related_incident": past.pk, "unlink": "on"})
    assert not past.related_incidents.exists()


@pytest.mark.parametrize("value", ["", "abc", "-1", "999999"])
def test_the_room_refuses_a_bad_incident_number(pair, people, client_for, value):
    now, _past = pair
    response = client_for(people["responder"]).post(reverse("reports:incident-link", args=[now.pk]),
                                                    {"related_incident": value}, follow=True)
    assert response.status_code == 200
    assert not now.related_incidents.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])
