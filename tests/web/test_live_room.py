"""The live room's server side: the fingerprints polled every ~1.5 s, the panels fetched when one moves, the
in-place answers to the room's forms (and their plain fallbacks), durations with units, and acknowledging."""

import json
import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from crisis import clock
from crisis.durations import countdown_label, elapsed_label
from crisis.models import Deadline
from crisis.services.incidents import incident_acknowledge
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_create
from crisis.services.timeline import timeline_event_log, timeline_event_pin
from crisis.timers.sweeper import deadlines_breach_due
from crisis.web.room import room_fingerprints
from crisis.web.room_extensions import room_panels_registered
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _version(client, incident) -> dict:
    response = client.get(reverse("crisis:incident-version", args=[incident.pk]))
    assert response.status_code == 200
    return response.json()["panels"]


def _moved(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


# Durations ----------------------------------------------------------------------------------------------------

def test_it_reads_an_old_incidents_clock_in_days():
    assert elapsed_label(5760 * 3600 + 2) == "240 d 00:00:02"
    assert elapsed_label(4 * 86400 + 2) == "4 d 00:00:02"


def test_it_reads_a_young_clock_as_hours_minutes_and_seconds():
    assert (elapsed_label(0), elapsed_label(62), elapsed_label(3723)) == ("0:00", "1:02", "1:02:03")


def test_it_says_the_units_of_the_time_left():
    assert countdown_label(4 * 3600 + 20 * 60 + 5) == "4 h 20 min"
    assert countdown_label(4 * 60 + 20) == "4 min 20 s"
    assert countdown_label(20) == "20 s"
    assert countdown_label(2 * 86400 + 3 * 3600) == "2 d 3 h"
    assert countdown_label(-(4 * 60 + 20)) == "4 min 20 s"  # the caller says "overdue"


def test_it_says_the_units_in_chinese():
    with translation.override("zh-hans"):
        assert countdown_label(4 * 60 + 20) == "4 分钟 20 秒"
        assert elapsed_label(86400 + 1) == "1 天 00:00:01"


# The version endpoint ----------------------------------------------------------------------------------------

def test_it_moves_only_the_timeline_fingerprint_when_a_line_is_logged(client_for, people, incident):
    client = client_for(people["viewer"])
    before = _version(client, incident)
    timeline_event_log(incident=incident, actor=people["responder"], body="Reposted 12k times", kind="observation")
    assert _moved(before, _version(client, incident)) == {"timeline"}


def test_it_moves_the_timeline_fingerprint_when_a_line_is_pinned(client_for, people, incident):
    event = timeline_event_log(incident=incident, actor=people["responder"], body="Key video", kind="observation")
    client = client_for(people["viewer"])
    before = _version(client, incident)
    timeline_event_pin(event=event, actor=people["responder"], is_pinned=True)
    assert _moved(before, _version(client, incident)) == {"timeline"}


def test_it_moves_the_statements_and_sentiment_fingerprints_for_a_statement(client_for, people, incident):
    client = client_for(people["viewer"])
    before = _version(client, incident)
    statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding", body="草稿")
    assert {"statements", "sentiment"} <= _moved(before, _version(client, incident))


def test_it_moves_the_sentiment_fingerprint_for_a_checkpoint(client_for, people, incident):
    client = client_for(people["viewer"])
    before = _version(client, incident)
    sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Weibo", mention_volume=900,
                                measured_at=timezone.now(), negative_share=0.4)
    assert "sentiment" in _moved(before, _version(client, incident))


def test_it_moves_the_clock_and_pages_fingerprints_on_a_breach_and_its_page(client_for, people, open_incident):
    from crisis.models import Breach
    from crisis.oncall.models import Page
    from crisis.timers import tasks

    incident = open_incident(commander=people["commander"])
    client = client_for(people["viewer"])
    before = _version(client, incident)
    moment = clock.now() + timedelta(minutes=30)
    assert deadlines_breach_due(now=moment) >= 1
    tasks.breaches_dispatch(list(Breach.objects.values_list("pk", flat=True)))
    after = _version(client, incident)
    assert "clock" in _moved(before, after)
    assert Page.objects.filter(incident=incident).exists()
    assert "pages" in _moved(before, after)


def test_it_moves_the_head_and_clock_fingerprints_on_acknowledgement(client_for, people, incident):
    client = client_for(people["viewer"])
    before = _version(client, incident)
    incident_acknowledge(incident=incident, actor=people["commander"])
    assert {"head", "clock"} <= _moved(before, _version(client, incident))


def test_it_gives_the_same_fingerprints_while_nothing_changes(client_for, people, incident):
    client = client_for(people["viewer"])
    assert _version(client, incident) == _version(client, incident)


def test_it_does_not_confirm_another_organizations_incident(client_for, people, incident):
    response = client_for(people["outsider"]).get(reverse("crisis:incident-version", args=[incident.pk]))
    assert response.status_code == 404


def test_it_answers_an_empty_incident_and_says_the_server_time(client_for, people, incident):
    response = client_for(people["viewer"]).get(reverse("crisis:incident-version", args=[incident.pk]))
    body = response.json()
    # Panels other features register (crisis/web/room_extensions.py) come on top of the room's own.
    extra = {panel.name for panel in room_panels_registered()}
    assert set(body["panels"]) == {"head", "clock", "timeline", "statements", "pages", "sentiment"} | extra
    assert body["now"] and "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("events", [0, 1, 300])
def test_it_reads_the_fingerprints_in_one_query_whatever_the_timeline(people, incident, events,
                                                                       django_assert_num_queries):
    for n in range(events):
        timeline_event_log(incident=incident, actor=people["responder"], body=f"line {n}", kind="note")
    # One for the room's own panels, and one for each panel a feature registered (its own indexed query).
    with django_assert_num_queries(1 + len(room_panels_registered())):
        fingerprints = room_fingerprints(incident_id=incident.pk)
    assert fingerprints["timeline"].startswith(str(incident.events.count()) + ".")


@pytest.mark.parametrize("events", [3, 300])
def test_it_keeps_the_version_endpoints_query_count_flat(client_for, people, incident, events,
                                                         django_assert_max_num_queries):
    for n in range(events):
        timeline_event_log(incident=incident, actor=people["responder"], body=f"line {n}", kind="note")
    client = client_for(people["viewer"])
    with django_assert_max_num_queries(6):
        client.get(reverse("crisis:incident-version", args=[incident.pk]))


# Panels -------------------------------------------------------------------------------------------------------

def test_it_sends_only_the_panels_asked_for_as_out_of_band_swaps(client_for, people, incident):
    url = reverse("crisis:incident-panels", args=[incident.pk]) + "?panel=pages&panel=statements"
    response = client_for(people["viewer"]).get(url, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="room-pages"' in body and 'id="room-statements"' in body
    assert 'id="golden-clock"' not in body and 'id="timeline"' not in body
    assert body.count('hx-swap-oob="true"') == 2
    assert set(json.loads(response["X-Room-Fingerprints"])) == {"pages", "statements"}


def test_it_sends_the_sticky_bar_with_the_clock(client_for, people, incident):
    url = reverse("crisis:incident-panels", args=[incident.pk]) + "?panel=clock"
    body = client_for(people["viewer"]).get(url, **HTMX).content.decode()
    assert 'id="room-bar-live"' in body and 'id="golden-clock"' in body


def test_it_keeps_the_timelines_filter_in_its_panel(client_for, people, incident):
    timeline_event_log(incident=incident, actor=people["responder"], body="A decision", kind="decision")
    timeline_event_log(incident=incident, actor=people["responder"], body="An observation", kind="observation")
    url = reverse("crisis:incident-panels", args=[incident.pk]) + "?panel=timeline&kind=decision"
    body = client_for(people["viewer"]).get(url, **HTMX).content.decode()
    assert "A decision" in body and "An observation" not in body


def test_it_ignores_panels_it_does_not_know(client_for, people, incident):
    url = reverse("crisis:incident-panels", args=[incident.pk]) + "?panel=admin"
    response = client_for(people["viewer"]).get(url, **HTMX)
    assert response.status_code == 200 and response.content.decode().strip() == ""


# The sticky bar and the clock ---------------------------------------------------------------------------------

def test_it_shows_the_next_deadline_its_owner_and_the_time_left_in_the_bar(client_for, people, open_incident):
    incident = open_incident(commander=people["commander"])
    body = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    bar = body[body.index('id="room-bar-live"'):body.index('id="room-alerts"')]
    first = incident.deadlines.exclude(kind="escalation").order_by("due_at").first()
    assert first.name in bar
    assert people["commander"].get_full_name() in bar
    assert "in 4 min 59 s" in bar or "in 5 min 0 s" in bar


def test_it_says_so_when_no_deadline_is_open(client_for, people, incident):
    Deadline.objects.filter(incident=incident).update(state="waived")
    body = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert "No open deadline" in body


def test_it_reads_an_old_incidents_elapsed_clock_in_days(client_for, people, open_incident):
    incident = open_incident(first_public_signal_at=timezone.now() - timedelta(days=4, seconds=3))
    body = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert "4 d 00:00:0" in body
    assert ":00:0" in body and "96:00:0" not in body


def test_it_dates_a_deadline_due_tomorrow_on_the_first_night(client_for, people, incident_at_t0):
    # T0 is 02:00 in Shanghai: the follow-up report 24 hours on is due tomorrow, and says which day.
    incident = incident_at_t0()
    body = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    follow_up = incident.deadlines.filter(due_at__gte=T0 + timedelta(hours=20)).order_by("due_at").first()
    if follow_up is None:
        pytest.skip("the playbook has no deadline a day away")
    local = follow_up.due_at.astimezone(zoneinfo.ZoneInfo(incident.time_zone))
    assert f"due {local:%m-%d %H:%M}" in body
    assert "due 02:15" in body  # the acknowledgement, today, keeps the short time


# In-place actions ---------------------------------------------------------------------------------------------

def test_it_changes_severity_in_place_for_htmx(client_for, people, incident):
    url = reverse("crisis:incident-severity", args=[incident.pk])
    response = client_for(people["commander"]).post(url, {"severity": 1, "reason": "Press calls"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="room-head"' in body and "sev1" in body and 'id="timeline"' in body
    assert "<html" not in body  # panels, not the 144 KB room


def test_it_still_redirects_a_plain_form_post(client_for, people, incident):
    url = reverse("crisis:incident-severity", args=[incident.pk])
    response = client_for(people["commander"]).post(url, {"severity": 1, "reason": "Press calls"})
    assert response.status_code == 302 and response["Location"] == reverse("crisis:incident-room",
                                                                            args=[incident.pk])


def test_it_shows_a_refused_status_change_inside_its_panel(client_for, people, incident):
    url = reverse("crisis:incident-status", args=[incident.pk])
    response = client_for(people["commander"]).post(url, {"status": "closed", "note": ""}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps successful answers only
    assert 'id="room-head"' in body and "errorlist" in body and 'id="timeline"' not in body


def test_it_pins_in_place_for_htmx(client_for, people, incident):
    event = timeline_event_log(incident=incident, actor=people["responder"], body="Key video", kind="observation")
    url = reverse("crisis:event-pin", args=[incident.pk, event.pk])
    response = client_for(people["responder"]).post(url, {"is_pinned": "1"}, **HTMX)
    assert response.status_code == 200 and 'id="timeline"' in response.content.decode()
    event.refresh_from_db()
    assert event.is_pinned


def test_it_corrects_in_place_for_htmx(client_for, people, incident):
    event = timeline_event_log(incident=incident, actor=people["responder"], body="12k shares", kind="observation")
    url = reverse("crisis:event-correct", args=[incident.pk, event.pk])
    response = client_for(people["responder"]).post(url, {"body": "21k shares", "reason": "typo"}, **HTMX)
    assert response.status_code == 200 and "21k shares" in response.content.decode()


def test_it_acts_on_a_deadline_in_place_for_htmx(client_for, people, incident):
    deadline = incident.deadlines.filter(state="pending").order_by("due_at").first()
    url = reverse("crisis:deadline-action", args=[deadline.pk, "extend"])
    response = client_for(people["commander"]).post(
        url, {"version": deadline.version, "minutes": 15, "reason": "Waiting for legal"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and 'id="golden-clock"' in body and 'id="room-bar-live"' in body


def test_it_sends_a_refused_deadline_action_to_its_page_for_htmx(client_for, people, incident):
    deadline = incident.deadlines.filter(state="pending").order_by("due_at").first()
    url = reverse("crisis:deadline-action", args=[deadline.pk, "extend"])
    response = client_for(people["commander"]).post(
        url, {"version": deadline.version + 5, "minutes": 15, "reason": "Stale"}, **HTMX)
    # Not 2xx: desk.js posts the form plainly and lands on the page with the reasons.
    assert response.status_code == 409


def test_it_refreshes_the_clock_with_a_quick_log_line(client_for, people, incident):
    url = reverse("crisis:incident-log", args=[incident.pk])
    response = client_for(people["responder"]).post(url, {"body": "Called legal", "kind": "note"}, **HTMX)
    body = response.content.decode()
    assert 'id="quick-log"' in body and 'id="golden-clock"' in body and 'hx-swap-oob="true"' in body


# Acknowledging ------------------------------------------------------------------------------------------------

def test_it_never_acknowledges_by_opening_the_room(client_for, people, open_incident):
    incident = open_incident(commander=people["commander"])
    body = client_for(people["commander"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    incident.refresh_from_db()
    assert incident.acknowledged_at is None
    assert "Not acknowledged yet." in body and "Acknowledge now</button>" in body


def test_it_tells_a_viewer_it_is_not_acknowledged_without_the_button(client_for, people, incident):
    body = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert "Not acknowledged yet." in body and "Acknowledge now</button>" not in body


def test_it_acknowledges_in_one_click(client_for, people, incident):
    url = reverse("crisis:incident-acknowledge", args=[incident.pk])
    response = client_for(people["commander"]).post(url, {}, **HTMX)
    incident.refresh_from_db()
    assert response.status_code == 200 and incident.acknowledged_at is not None
    assert 'id="ack-banner"' not in response.content.decode()


def test_it_drops_the_banner_once_acknowledged(client_for, people, incident):
    incident_acknowledge(incident=incident, actor=people["commander"])
    body = client_for(people["commander"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert 'id="ack-banner"' not in body and "Acknowledge now" not in body
