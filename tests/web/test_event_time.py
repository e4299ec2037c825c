"""The desk's forms take when a thing happened, typed in the incident's zone, and show refusals beside the field.

The incident's first public signal is T0 (02:00 in Shanghai); the clock is moved with ``at``.
"""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse

from crisis.models import Breach, DeadlineState, SentimentCheckpoint
from crisis.services.statements import statement_approve, statement_create, statement_submit_for_review
from crisis.timers.sweeper import deadlines_breach_due
from tests.deadline_helpers import T0, by_step

pytestmark = pytest.mark.django_db


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def typed(moment, zone="Asia/Shanghai") -> str:
    """What a person types in a datetime-local field, on the incident's wall clock."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def _errors_beside(content: str, field_id: str, message: str) -> bool:
    """The message is in the field's own error list (the one its aria-describedby names), not only on top."""
    start = content.find(f'<ul class="errorlist" id="{field_id}_error">')
    return start != -1 and message in content[start:content.index("</ul>", start)] \
        and f'aria-describedby="{field_id}_error"' in content


# Acknowledging


def test_it_acknowledges_at_the_time_typed(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(36)
    response = client_for(people["responder"]).post(reverse("crisis:incident-acknowledge", args=[incident.pk]),
                                                    {"acknowledged_at": typed(minutes(12))})
    incident.refresh_from_db()
    assert response.status_code == 302
    assert (incident.acknowledged_at, incident.acknowledged_recorded_at) == (minutes(12), minutes(36))
    assert by_step(incident)["acknowledge"].state == DeadlineState.MET


def test_it_acknowledges_now_when_no_time_is_given(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(9)
    client_for(people["responder"]).post(reverse("crisis:incident-acknowledge", args=[incident.pk]),
                                         {"acknowledged_at": ""})
    incident.refresh_from_db()
    assert incident.acknowledged_at == minutes(9)


def test_it_shows_a_refused_acknowledgement_time_beside_the_field(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(36)
    response = client_for(people["responder"]).post(reverse("crisis:incident-acknowledge", args=[incident.pk]),
                                                    {"acknowledged_at": typed(minutes(60))})
    incident.refresh_from_db()
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "id_ack_acknowledged_at", "This time is in the future.")
    assert incident.acknowledged_at is None


def test_it_takes_an_earlier_acknowledgement_after_one_is_on_record(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(20)
    client = client_for(people["commander"])
    client.post(reverse("crisis:incident-acknowledge", args=[incident.pk]))
    room = client.get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert "Acknowledged earlier than that?" in room
    client.post(reverse("crisis:incident-acknowledge", args=[incident.pk]), {"acknowledged_at": typed(minutes(14))})
    incident.refresh_from_db()
    assert incident.acknowledged_at == minutes(14)
    assert by_step(incident)["acknowledge"].state == DeadlineState.MET


# Status changes


def test_it_changes_status_at_the_time_given(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(90)
    response = client_for(people["commander"]).post(reverse("crisis:incident-status", args=[incident.pk]),
                                                    {"status": "contained", "occurred_at": typed(minutes(70))})
    incident.refresh_from_db()
    assert response.status_code == 302
    assert incident.contained_at == minutes(70)


def test_it_shows_a_refused_status_time_beside_the_field(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(90)
    response = client_for(people["commander"]).post(reverse("crisis:incident-status", args=[incident.pk]),
                                                    {"status": "contained", "occurred_at": typed(minutes(-10))})
    incident.refresh_from_db()
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "id_status_occurred_at",
                          "This cannot be before the first public signal.")
    assert incident.status == "active"


# Ticking a deadline off


def test_it_ticks_a_deadline_off_at_the_time_it_was_done(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(100)
    briefing = by_step(incident)["stakeholder-briefing"]
    response = client_for(people["commander"]).post(
        reverse("crisis:deadline-action", args=[briefing.pk, "met"]),
        {"version": briefing.version, "note": "called the board", "happened_at": typed(minutes(95))})
    briefing.refresh_from_db()
    assert response.status_code == 302
    assert (briefing.state, briefing.met_at, briefing.met_recorded_at) == (DeadlineState.MET, minutes(95), minutes(100))


def test_it_withdraws_the_alarm_when_a_flagged_deadline_is_ticked_off_as_done_in_time(
        client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(125))
    briefing = by_step(incident)["stakeholder-briefing"]
    assert briefing.state == DeadlineState.BREACHED
    client_for(people["commander"]).post(
        reverse("crisis:deadline-action", args=[briefing.pk, "met"]),
        {"version": briefing.version, "note": "called the board", "happened_at": typed(minutes(110))})
    briefing.refresh_from_db()
    assert briefing.state == DeadlineState.MET
    assert Breach.objects.get(deadline=briefing).retracted_by == people["commander"]


def test_it_offers_to_tick_off_a_flagged_deadline(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(125))
    briefing = by_step(incident)["stakeholder-briefing"]
    clock = client_for(people["commander"]).get(reverse("crisis:incident-clock", args=[incident.pk])).content.decode()
    assert reverse("crisis:deadline-action", args=[briefing.pk, "met"]) in clock


def test_it_shows_a_refused_done_at_time_beside_the_field(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(100)
    briefing = by_step(incident)["stakeholder-briefing"]
    response = client_for(people["commander"]).post(
        reverse("crisis:deadline-action", args=[briefing.pk, "met"]),
        {"version": briefing.version, "note": "called the board", "happened_at": typed(minutes(-60 * 24 * 40))})
    briefing.refresh_from_db()
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "id_happened_at", "days before the first public signal")
    assert briefing.state == DeadlineState.PENDING


# Publishing a statement


@pytest.fixture
def approved(people):
    def _approved(incident):
        statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                     body="我们已关注到视频，正在调查。")
        statement_submit_for_review(statement=statement, actor=people["responder"])
        statement_approve(statement=statement, actor=people["approver"])
        return statement

    return _approved


def test_it_publishes_a_statement_at_the_time_given(client_for, people, incident_at_t0, at, approved):
    statement = approved(incident_at_t0())
    at(75)
    response = client_for(people["commander"]).post(reverse("crisis:statement-action", args=[statement.pk, "publish"]),
                                                    {"published_at": typed(minutes(40))})
    statement.refresh_from_db()
    assert response.status_code == 302
    assert (statement.published_at, statement.published_recorded_at) == (minutes(40), minutes(75))
    assert by_step(statement.incident)["holding-statement"].state == DeadlineState.MET


def test_it_shows_a_refused_publication_time_beside_the_field(client_for, people, incident_at_t0, at, approved):
    statement = approved(incident_at_t0())
    at(75)
    response = client_for(people["commander"]).post(reverse("crisis:statement-action", args=[statement.pk, "publish"]),
                                                    {"published_at": typed(minutes(90))})
    statement.refresh_from_db()
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "id_published_at", "This time is in the future.")
    assert statement.status == "approved"


# The quick log


def test_it_logs_a_line_at_the_time_it_happened(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(45)
    client_for(people["responder"]).post(reverse("crisis:incident-log", args=[incident.pk]), {
        "body": "Video reposted by a big account", "kind": "observation", "occurred_at": typed(minutes(22))})
    event = incident.events.get(body="Video reposted by a big account")
    assert (event.occurred_at, event.recorded_at) == (minutes(22), minutes(45))


def test_it_shows_a_quick_log_time_months_before_the_signal_beside_the_field(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(45)
    response = client_for(people["responder"]).post(reverse("crisis:incident-log", args=[incident.pk]), {
        "body": "Wrong year", "kind": "note", "occurred_at": typed(minutes(-60 * 24 * 365))})
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "id_occurred_at", "days before the first public signal")
    assert not incident.events.filter(body="Wrong year").exists()


# Sentiment, one by one and from a CSV


def test_it_records_a_checkpoint_at_its_measured_time(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(50)
    client_for(people["responder"]).post(reverse("crisis:sentiment-entry", args=[incident.pk]), {
        "measured_at": typed(minutes(25)), "source": "Weibo", "negative_share": "40"})
    checkpoint = SentimentCheckpoint.objects.get(incident=incident)
    assert (checkpoint.measured_at, checkpoint.recorded_at) == (minutes(25), minutes(50))


def test_it_shows_a_checkpoint_measured_months_before_the_signal_beside_the_field(
        client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(50)
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-entry", args=[incident.pk]), {
        "measured_at": typed(minutes(-60 * 24 * 60)), "source": "Weibo", "negative_share": "40"})
    assert response.status_code == 400
    assert _errors_beside(response.content.decode(), "id_measured_at", "days before the first public signal")
    assert not SentimentCheckpoint.objects.exists()


def _upload(client, incident, text, **extra):
    return client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text, **extra})


def test_it_records_csv_rows_at_their_measured_times(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(70)
    text = f"measured_at,source,negative_share\n{typed(minutes(30))},Weibo,0.4\n{typed(minutes(60))},Weibo,0.5\n"
    client = client_for(people["responder"])
    assert _upload(client, incident, text).status_code == 200
    assert _upload(client, incident, text, confirm="1").status_code == 302
    assert list(SentimentCheckpoint.objects.order_by("measured_at").values_list("measured_at", flat=True)) == [
        minutes(30), minutes(60)]


def test_it_marks_the_csv_row_measured_months_before_the_signal(client_for, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(70)
    text = (f"measured_at,source,negative_share\n{typed(minutes(30))},Weibo,0.4\n"
            f"{typed(minutes(-60 * 24 * 90))},Weibo,0.5\n")
    response = _upload(client_for(people["responder"]), incident, text, confirm="1")
    content = response.content.decode()
    assert response.status_code == 400
    bad_row = content.index("<th scope=\"row\">3</th>")
    assert "days before the first public signal" in content[bad_row:content.index("</tr>", bad_row)]
    assert not SentimentCheckpoint.objects.exists()
