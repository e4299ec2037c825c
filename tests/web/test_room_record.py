"""The room tells the truth about a crisis logged late: when things happened, when they were entered,
which alarms were false, what was owed before anybody could act.

The first public signal is T0 (02:00 in Shanghai, the organization's zone); ``at`` moves the clock.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis.models import PassedOccurrences
from crisis.services.incidents import incident_acknowledge
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.timeline import timeline_event_log
from crisis.timers.sweeper import deadlines_breach_due
from tests.deadline_helpers import T0
from tests.playbooks.test_satisfaction import publish

pytestmark = pytest.mark.django_db


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def _room(client, incident) -> str:
    return client.get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()


def _block(content: str, marker: str, end: str = "</li>") -> str:
    """The piece of the page that starts at ``marker``: what one line of the room says."""
    start = content.index(marker)
    return content[start:content.index(end, start)]


def test_it_says_how_much_later_a_timeline_line_was_entered(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(45)
    event = timeline_event_log(incident=incident, actor=people["responder"], body="Reposted by a big account",
                               kind="observation", occurred_at=minutes(22))
    line = _block(_room(client_for(people["viewer"]), incident), f'id="event-{event.pk}"')
    assert "(entered 23 min later)" in line


def test_it_says_nothing_about_a_line_entered_as_it_happened(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(45)
    event = timeline_event_log(incident=incident, actor=people["responder"], body="Live", kind="observation")
    line = _block(_room(client_for(people["viewer"]), incident), f'id="event-{event.pk}"')
    assert "entered" not in line


def test_it_says_how_much_later_a_statement_was_entered(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(75)
    statement = publish(incident, people, published_at=minutes(40))
    content = _room(client_for(people["viewer"]), incident)
    item = _block(content, reverse("crisis:statement-detail", args=[statement.pk]))
    assert "02:40" in item and "(entered 35 min later)" in item


def test_it_says_how_much_later_the_statement_page_entered_its_publication(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(75)
    statement = publish(incident, people, published_at=minutes(40))
    page = client_for(people["viewer"]).get(reverse("crisis:statement-detail", args=[statement.pk])).content.decode()
    assert "(entered 35 min later)" in page


def test_it_says_how_much_later_the_acknowledgement_was_entered(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(36)
    incident_acknowledge(incident=incident, actor=people["responder"], acknowledged_at=minutes(12))
    acknowledged = _block(_room(client_for(people["viewer"]), incident), 'id="acknowledged"', "</span>\n")
    assert "02:12" in acknowledged and "(entered 24 min later)" in acknowledged


def test_it_shows_a_withdrawn_alarm_with_when_it_rang_and_who_withdrew_it(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    at(75)
    publish(incident, people, published_at=minutes(40))
    row = _block(_room(client_for(people["viewer"]), incident), 'data-step="holding-statement"')
    commander = people["commander"].get_username()
    assert f"flagged at 03:01, withdrawn at 03:15 by {commander}: published at 02:40" in row
    assert 'data-state="met"' in row


def test_it_says_a_met_deadline_was_entered_later(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(75)
    publish(incident, people, published_at=minutes(40))
    row = _block(_room(client_for(people["viewer"]), incident), 'data-step="holding-statement"')
    assert "(entered 35 min later)" in row


def test_it_says_by_how_much_a_deadline_was_met_late(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    at(75)
    publish(incident, people, published_at=minutes(70))
    row = _block(_room(client_for(people["viewer"]), incident), 'data-step="holding-statement"')
    assert "Met late by 10 min" in row
    assert 'data-outcome="met_late"' in row


def test_it_counts_what_a_repeating_step_owed_before_the_incident_was_logged(client_for, people, open_incident, at):
    at(300)
    incident = open_incident(first_public_signal_at=T0)
    for measured in (85, 115):
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=minutes(measured),
                                    source="Weibo", negative_share=0.4)
    record = PassedOccurrences.objects.get(incident=incident, step_key="sentiment-cadence")
    assert record.is_before_logging
    passed = _block(_room(client_for(people["viewer"]), incident), 'data-step="sentiment-cadence">')
    assert f"{record.count} expected before this was logged, 2 made" in passed


def test_it_says_a_retrospective_incident_pages_nobody(client_for, people, open_incident, at):
    at(60 * 24 * 3)
    incident = open_incident(first_public_signal_at=T0)
    assert incident.is_retrospective
    content = _room(client_for(people["viewer"]), incident)
    assert "Entered as a record of the past: nobody is paged." in content


def test_it_does_not_call_a_live_incident_a_record_of_the_past(client_for, people, incident_at_t0):
    content = _room(client_for(people["viewer"]), incident_at_t0())
    assert "Entered as a record of the past" not in content


def test_it_dates_the_clocks_times_once_the_crisis_spans_days(client_for, people, open_incident, at):
    at(60 * 24 * 3)
    incident = open_incident(first_public_signal_at=T0)
    row = _block(_room(client_for(people["viewer"]), incident), 'data-step="acknowledge"')
    assert "11-25 02:15" in row  # due; the flag is three days later, at 11-28 02:00
    assert "11-28 02:00" in row


def test_it_keeps_the_clocks_times_short_on_the_first_night(client_for, people, incident_at_t0):
    row = _block(_room(client_for(people["viewer"]), incident_at_t0()), 'data-step="acknowledge"')
    assert "02:15" in row and "11-25 02:15" not in row
