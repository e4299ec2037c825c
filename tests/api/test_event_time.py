"""Facts entered after they happened, through the API: each takes the time it happened, and the answers say
both times and the verdict (docs/playbook.md, "Two times")."""

from datetime import timedelta

import pytest

from crisis.models import DeadlineState, EventKind, PassedOccurrences
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_approve, statement_create, statement_submit_for_review
from crisis.timers.sweeper import deadlines_breach_due
from tests.deadline_helpers import T0, by_step

pytestmark = pytest.mark.django_db


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def iso(n: float) -> str:
    return minutes(n).isoformat()


def _approved_statement(incident, people, channel="weibo"):
    statement = statement_create(incident=incident, actor=people["responder"], channel=channel, kind="holding",
                                 body="我们已关注到视频，正在调查。")
    statement_submit_for_review(statement=statement, actor=people["responder"])
    statement_approve(statement=statement, actor=people["approver"])
    return statement


def _publish(api_as, people, statement, at_minutes: float):
    return api_as(people["commander"]).post(f"/api/v1/statements/{statement.pk}/publish/",
                                            {"published_at": iso(at_minutes)}, format="json")


def _deadline_row(api_as, people, incident, step_key: str) -> dict:
    rows = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/deadlines/").json()["results"]
    return next(row for row in rows if row["step_key"] == step_key and row["occurrence"] == 0)


# The acknowledgement


def test_it_acknowledges_at_the_time_given(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(36)
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/acknowledge/",
                                                {"acknowledged_at": iso(12)}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["acknowledged_at"] == iso(12).replace("+00:00", "Z")
    assert response.json()["acknowledged_recorded_at"] == iso(36).replace("+00:00", "Z")
    assert by_step(incident)["acknowledge"].met_at == minutes(12)


def test_it_logs_the_note_given_with_an_acknowledgement(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(36)
    api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/acknowledge/",
                                     {"acknowledged_at": iso(12), "note": "Wang Fang took it on the phone."},
                                     format="json")

    line = incident.events.get(kind=EventKind.ACKNOWLEDGEMENT)
    assert (line.body, line.occurred_at) == ("Wang Fang took it on the phone.", minutes(12))


def test_it_acknowledges_now_when_a_bot_posts_no_body(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(20)
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/acknowledge/")

    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert incident.acknowledged_at == incident.acknowledged_recorded_at == minutes(20)


def test_it_moves_the_acknowledgement_back_when_an_earlier_one_is_entered(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    client = api_as(people["responder"])
    at(20)
    client.post(f"/api/v1/incidents/{incident.pk}/acknowledge/")
    at(25)
    response = client.post(f"/api/v1/incidents/{incident.pk}/acknowledge/", {"acknowledged_at": iso(14)},
                           format="json")

    assert response.json()["acknowledged_at"] == iso(14).replace("+00:00", "Z")
    assert by_step(incident)["acknowledge"].state == DeadlineState.MET


def test_it_acknowledges_when_an_acknowledgement_event_is_logged(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(40)
    response = api_as(people["responder"]).post(
        f"/api/v1/incidents/{incident.pk}/events/",
        {"kind": "acknowledgement", "body": "Wang Fang took command on the phone.", "occurred_at": iso(9)},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "acknowledgement"
    incident.refresh_from_db()
    assert (incident.acknowledged_at, incident.acknowledged_recorded_at) == (minutes(9), minutes(40))


def test_it_shows_both_times_of_a_logged_event(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(40)
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/events/",
                                                {"body": "Video passes 1M views", "occurred_at": iso(9)},
                                                format="json")

    assert (response.json()["occurred_at"], response.json()["recorded_at"]) == (
        iso(9).replace("+00:00", "Z"), iso(40).replace("+00:00", "Z"))


def test_it_shows_both_times_of_a_checkpoint(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(40)
    response = api_as(people["responder"]).post(
        f"/api/v1/incidents/{incident.pk}/checkpoints/",
        {"measured_at": iso(30), "source": "Weibo", "negative_share": 0.4}, format="json",
    )

    assert (response.json()["measured_at"], response.json()["recorded_at"]) == (
        iso(30).replace("+00:00", "Z"), iso(40).replace("+00:00", "Z"))


# Statements published before they were entered


def test_it_publishes_a_statement_at_the_time_given_and_says_when_it_was_entered(api_as, people, incident_at_t0,
                                                                                    at):
    incident = incident_at_t0()
    statement = _approved_statement(incident, people)
    at(75)
    response = _publish(api_as, people, statement, 40)

    assert response.status_code == 200, response.json()
    assert response.json()["published_at"] == iso(40).replace("+00:00", "Z")
    assert response.json()["published_recorded_at"] == iso(75).replace("+00:00", "Z")


def test_it_judges_a_deadline_met_in_time_by_a_statement_entered_late(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    statement = _approved_statement(incident, people)
    at(75)
    _publish(api_as, people, statement, 40)
    row = _deadline_row(api_as, people, incident, "holding-statement")

    assert (row["state"], row["outcome"], row["late_minutes"]) == ("met", "met", None)
    assert row["entered_minutes_later"] == 35
    assert row["met_at"] == iso(40).replace("+00:00", "Z")
    assert row["met_recorded_at"] == iso(75).replace("+00:00", "Z")
    assert (row["is_breach_retracted"], row["breach_retraction"]) == (False, None)


def test_it_shows_a_breach_retracted_by_a_fact_entered_after_the_sweep(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    statement = _approved_statement(incident, people)
    deadlines_breach_due(now=at(61))
    at(75)
    _publish(api_as, people, statement, 40)
    row = _deadline_row(api_as, people, incident, "holding-statement")

    assert (row["outcome"], row["is_breach_retracted"]) == ("met", True)
    assert row["breach_retraction"]["retracted_at"] == iso(75).replace("+00:00", "Z")
    assert row["breach_retraction"]["retracted_by"]["id"] == people["commander"].pk
    assert row["breach_retraction"]["reason"].startswith("Breach retracted")


def test_it_says_by_how_much_a_deadline_met_after_it_was_due_slipped(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    statement = _approved_statement(incident, people)
    deadlines_breach_due(now=at(61))
    at(75)
    _publish(api_as, people, statement, 70)
    row = _deadline_row(api_as, people, incident, "holding-statement")

    assert (row["state"], row["outcome"], row["late_minutes"]) == ("breached", "met_late", 10)
    assert (row["entered_minutes_later"], row["is_breach_retracted"]) == (5, False)


def test_it_calls_a_deadline_nothing_met_missed(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    row = _deadline_row(api_as, people, incident, "holding-statement")

    assert (row["outcome"], row["late_minutes"], row["entered_minutes_later"]) == ("missed", None, None)


# Ticking off by hand, and resolving, after the fact


def test_it_ticks_off_a_missed_step_as_done_in_time_when_it_was(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(24 * 60 + 1))
    follow_up = by_step(incident)["follow-up-report"]
    response = api_as(people["responder"]).post(
        f"/api/v1/deadlines/{follow_up.pk}/mark-met/",
        {"note": "Sent to the board", "happened_at": iso(23 * 60), "version": follow_up.version}, format="json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["outcome"], response.json()["is_breach_retracted"]) == ("met", True)
    assert response.json()["breach_retraction"]["retracted_by"]["id"] == people["responder"].pk
    assert response.json()["entered_minutes_later"] == 61


def test_it_resolves_at_the_time_given(api_as, people, incident_at_t0, at):
    incident = incident_at_t0()
    at(300)
    response = api_as(people["commander"]).post(f"/api/v1/incidents/{incident.pk}/transition/",
                                                {"status": "resolved", "occurred_at": iso(50)}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["resolved_at"] == iso(50).replace("+00:00", "Z")
    assert by_step(incident)["sentiment-baseline"].state == DeadlineState.BREACHED


# Logged late: retrospective incidents and the occurrences that went by


def test_it_says_an_incident_entered_long_after_its_signal_is_retrospective(api_as, org, people, at):
    at(60 * 24 * 3)
    response = api_as(people["responder"]).post(
        "/api/v1/incidents/", {"organization": org.pk, "title": "Last week's recall", "first_public_signal_at": iso(0)},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["is_retrospective"] is True


def test_it_says_an_incident_entered_live_is_not_retrospective(api_as, people, incident_at_t0):
    incident = incident_at_t0()

    assert api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/").json()["is_retrospective"] is False


def test_it_lists_the_occurrences_that_passed_before_the_incident_was_logged(api_as, people, open_incident, at):
    at(5 * 60)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/passed-occurrences/")

    assert response.status_code == 200
    row = next(r for r in response.json()["results"] if r["step_key"] == "sentiment-cadence")
    assert (row["first_occurrence"], row["count"], row["recurrence_seconds"]) == (1, 6, 1800)
    assert (row["first_due_at"], row["last_due_at"]) == (iso(90).replace("+00:00", "Z"),
                                                         iso(240).replace("+00:00", "Z"))
    assert (row["is_before_logging"], row["made"], row["missed"]) == (True, 0, 6)


def test_it_counts_passed_occurrences_that_facts_entered_since_cover(api_as, people, open_incident, at):
    at(5 * 60)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    # Occurrence due at T0+2h is met by anything measured in (T0+1h30, T0+2h].
    sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=minutes(100),
                                source="Weibo", negative_share=0.4)
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/passed-occurrences/")

    row = next(r for r in response.json()["results"] if r["step_key"] == "sentiment-cadence")
    assert (row["made"], row["missed"]) == (1, 5)


def test_it_lists_no_passed_occurrences_for_an_incident_logged_live(api_as, people, incident_at_t0):
    incident = incident_at_t0()
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/passed-occurrences/")

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert not PassedOccurrences.objects.filter(incident=incident).exists()
