"""The incident room: quick log, timeline order and corrections, status and severity, the clock."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import Deadline, EventKind, Incident, TimelineEvent
from crisis.services.timeline import timeline_event_correct, timeline_event_log

pytestmark = pytest.mark.django_db


def _room(client, incident, **params):
    return client.get(reverse("crisis:incident-room", args=[incident.pk]), params).content.decode()


def test_it_opens_an_incident_from_the_form_and_shows_its_deadlines(client_for, people, org):
    client = client_for(people["responder"])
    signal = (timezone.now() - timedelta(minutes=20)).astimezone(timezone.get_fixed_timezone(0))
    response = client.post(reverse("crisis:incident-open"), {
        "title": "Door would not open after crash", "severity": 1, "status": "active",
        "first_public_signal_at": signal.strftime("%Y-%m-%dT%H:%M"), "affected_channels": ["weibo", "douyin"],
        "commander": people["commander"].pk,
    })
    incident = Incident.objects.get(title="Door would not open after crash")
    assert response.status_code == 302
    assert incident.affected_channels == ["weibo", "douyin"]
    assert incident.commander == people["commander"]
    room = client.get(response["Location"]).content.decode()
    assert Deadline.objects.filter(incident=incident).exists()
    assert 'data-step="holding-statement"' in room


def test_it_reads_the_first_signal_in_the_organizations_zone(client_for, people, org):
    org.time_zone = "Asia/Shanghai"
    org.save()
    local = timezone.now().astimezone(timezone.get_fixed_timezone(8 * 60)) - timedelta(hours=1)
    client_for(people["responder"]).post(reverse("crisis:incident-open"), {
        "title": "Zoned", "severity": 3, "status": "active", "first_public_signal_at": local.strftime("%Y-%m-%dT%H:%M"),
    })
    stored = Incident.objects.get(title="Zoned").first_public_signal_at
    assert abs(stored - local.replace(second=0, microsecond=0)) < timedelta(seconds=1)


def test_it_shows_the_services_reasons_on_the_open_form(client_for, people):
    future = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(people["responder"]).post(reverse("crisis:incident-open"), {
        "title": "Too early", "severity": 2, "status": "active", "first_public_signal_at": future,
    })
    assert response.status_code == 400
    assert "This time is in the future." in response.content.decode()
    assert not Incident.objects.filter(title="Too early").exists()


def test_it_logs_an_event_from_the_quick_log(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:incident-log", args=[incident.pk]),
                                                    {"body": "Trending #3 on Weibo", "kind": "observation"})
    assert response.status_code == 302
    event = incident.events.get(body="Trending #3 on Weibo")
    assert event.kind == EventKind.OBSERVATION
    assert event.actor == people["responder"]


def test_it_answers_htmx_with_a_fresh_box_and_the_new_timeline(client_for, people, incident):
    response = client_for(people["responder"]).post(
        reverse("crisis:incident-log", args=[incident.pk]), {"body": "Crew statement on video", "kind": "note"},
        HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="timeline"' in content and 'hx-swap-oob="true"' in content
    assert "Crew statement on video" in content
    assert 'name="body" id="id_body" value=""' in content


def test_it_back_dates_an_event_in_the_incident_zone(client_for, people, open_incident):
    incident = open_incident(time_zone="Asia/Shanghai", first_public_signal_at=timezone.now() - timedelta(hours=2))
    when = (timezone.now() - timedelta(hours=1)).astimezone(timezone.get_fixed_timezone(8 * 60))
    client_for(people["responder"]).post(reverse("crisis:incident-log", args=[incident.pk]), {
        "body": "Video first posted", "kind": "observation", "occurred_at": when.strftime("%Y-%m-%dT%H:%M")})
    event = incident.events.get(body="Video first posted")
    assert abs(event.occurred_at - when.replace(second=0, microsecond=0)) < timedelta(seconds=1)


def test_it_keeps_the_typed_text_when_the_service_refuses_an_entry(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:incident-log", args=[incident.pk]), {
        "body": "From the future", "kind": "note",
        "occurred_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    content = response.content.decode()
    assert response.status_code == 400
    assert "This time is in the future." in content
    assert 'value="From the future"' in content


def test_it_puts_pinned_events_first_then_newest(client_for, people, incident):
    actor, now = people["responder"], timezone.now()
    timeline_event_log(incident=incident, actor=actor, body="older note", occurred_at=now - timedelta(minutes=8))
    timeline_event_log(incident=incident, actor=actor, body="newer note", occurred_at=now - timedelta(minutes=2))
    timeline_event_log(incident=incident, actor=actor, body="pinned decision", kind="decision", is_pinned=True,
                       occurred_at=timezone.now() - timedelta(minutes=9))
    content = _room(client_for(people["viewer"]), incident)
    assert content.index("pinned decision") < content.index("newer note") < content.index("older note")


def test_it_filters_the_timeline_by_kind(client_for, people, incident):
    timeline_event_log(incident=incident, actor=people["responder"], body="an observation", kind="observation")
    timeline_event_log(incident=incident, actor=people["responder"], body="a decision", kind="decision")
    content = _room(client_for(people["viewer"]), incident, kind="decision")
    assert "a decision" in content
    assert "an observation" not in content


def test_it_strikes_through_a_corrected_event_beside_its_correction(client_for, people, incident):
    event = timeline_event_log(incident=incident, actor=people["responder"], body="3 injured")
    timeline_event_correct(event=event, actor=people["responder"], body="No one injured", reason="crew confirmed")
    content = _room(client_for(people["viewer"]), incident)
    assert '<del class="superseded"' in content
    struck = content.index("3 injured")
    assert content.rfind("<del", 0, struck) > content.rfind("</del>", 0, struck)
    assert struck < content.index("No one injured")
    assert content.count("No one injured") == 1


def test_it_records_a_correction_from_the_room(client_for, people, incident):
    event = timeline_event_log(incident=incident, actor=people["responder"], body="typo")
    response = client_for(people["responder"]).post(
        reverse("crisis:event-correct", args=[incident.pk, event.pk]), {"body": "fixed", "reason": "typo"})
    assert response.status_code == 302
    assert TimelineEvent.objects.get(corrects=event).body == "fixed"


def test_it_pins_an_event_from_the_room(client_for, people, incident):
    event = timeline_event_log(incident=incident, actor=people["responder"], body="pin me")
    client_for(people["responder"]).post(reverse("crisis:event-pin", args=[incident.pk, event.pk]), {"is_pinned": "1"})
    event.refresh_from_db()
    assert event.is_pinned


def test_it_changes_status_and_severity_for_a_commander(client_for, people, incident):
    client = client_for(people["commander"])
    client.post(reverse("crisis:incident-status", args=[incident.pk]), {"status": "contained", "note": "stable"})
    client.post(reverse("crisis:incident-severity", args=[incident.pk]), {"severity": 1, "reason": "trending #1"})
    incident.refresh_from_db()
    assert (incident.status, incident.severity) == ("contained", 1)


def test_it_offers_a_responder_only_the_transitions_their_role_allows(client_for, people, open_incident):
    incident = open_incident(status="monitoring")
    content = _room(client_for(people["responder"]), incident)
    assert '<option value="active">' in content
    assert '<option value="resolved">' not in content


def test_it_shows_an_impossible_transition_as_an_error(client_for, people, incident):
    response = client_for(people["commander"]).post(reverse("crisis:incident-status", args=[incident.pk]),
                                                    {"status": "closed"})
    assert response.status_code == 409
    assert "cannot go from" in response.content.decode()


def test_it_acknowledges_an_incident(client_for, people, incident):
    client_for(people["responder"]).post(reverse("crisis:incident-acknowledge", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None
