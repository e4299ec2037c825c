"""Deadlines are judged by when a fact happened, whenever it is entered (docs/playbook.md, "Two times")."""

from datetime import timedelta

import pytest

from crisis.models import Breach, DeadlineState, EventKind, PassedOccurrences
from crisis.oncall.models import Page, PageState
from crisis.services import deadlines, incidents, timeline
from crisis.services.errors import InvalidInput, InvalidTransition
from crisis.timers.sweeper import deadlines_breach_due
from tests.deadline_helpers import T0, by_step
from tests.oncall.helpers import sweep_and_dispatch

from .test_satisfaction import checkpoint, publish

pytestmark = pytest.mark.django_db


def minutes(n: float):
    return T0 + timedelta(minutes=n)


# A statement published in time but entered late


def test_it_meets_a_deadline_in_time_when_the_fact_is_entered_late_but_before_the_sweep(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(75)
    publish(incident, people, published_at=minutes(40))
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.MET
    assert (holding.met_at, holding.met_recorded_at) == (minutes(40), minutes(75))
    assert not Breach.objects.filter(deadline=holding).exists()


def test_it_says_how_much_later_a_met_deadline_was_entered(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(75)
    publish(incident, people, published_at=minutes(40))
    line = incident.events.get(kind=EventKind.DEADLINE, metadata__state="met", metadata__step="holding-statement")
    assert line.occurred_at == minutes(40)
    assert line.metadata["entered_minutes_later"] == 35
    assert "(entered 35 min later)" in line.body


def test_it_retracts_a_breach_that_a_fact_entered_later_shows_was_false(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    at(75)
    publish(incident, people, published_at=minutes(40))
    holding = by_step(incident)["holding-statement"]
    breach = Breach.objects.get(deadline=holding)
    assert holding.state == DeadlineState.MET and holding.met_at == minutes(40)
    assert breach.retracted_at == minutes(75)
    assert breach.retracted_by == people["commander"]
    assert incident.events.filter(body__startswith="Breach retracted: Holding statement published").count() == 1


def test_it_resolves_the_page_of_a_retracted_breach_and_says_why(incident_at_t0, people, at):
    incident = incident_at_t0()
    sweep_and_dispatch(at(61))
    page = Page.objects.get(breach__deadline__step_key="holding-statement")
    at(75)
    publish(incident, people, published_at=minutes(40))
    page.refresh_from_db()
    assert page.state == PageState.RESOLVED
    assert incident.events.filter(kind=EventKind.PAGE, body__contains="the alarm was false").exists()


def test_it_keeps_a_deadline_breached_and_says_by_how_much_when_the_fact_happened_after_it(
        incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    at(75)
    publish(incident, people, published_at=minutes(70))
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.BREACHED
    assert holding.met_at - holding.due_at == timedelta(minutes=10)
    assert Breach.objects.get(deadline=holding).retracted_at is None


def test_it_breaches_and_records_the_lateness_when_a_late_fact_arrives_before_the_sweep(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(75)
    publish(incident, people, published_at=minutes(65))
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.BREACHED and holding.met_at == minutes(65)
    assert Breach.objects.filter(deadline=holding).count() == 1


def test_it_pages_nobody_for_a_deadline_already_met_late_by_the_time_its_breach_is_dispatched(
        incident_at_t0, people, at):
    incident = incident_at_t0()
    at(75)
    publish(incident, people, published_at=minutes(65))
    sweep_and_dispatch(at(76))
    assert not Page.objects.filter(incident=incident, deadline__step_key="holding-statement").exists()


def test_it_lets_an_earlier_fact_shrink_a_recorded_lateness(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    at(90)
    publish(incident, people, published_at=minutes(85))
    publish(incident, people, published_at=minutes(62), channel="wechat")
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.BREACHED and holding.met_at == minutes(62)


# The acknowledgement


def test_it_acknowledges_at_the_time_given(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(36)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"], acknowledged_at=minutes(12))
    incident.refresh_from_db()
    assert (incident.acknowledged_at, incident.acknowledged_recorded_at) == (minutes(12), minutes(36))
    ack = by_step(incident)["acknowledge"]
    assert ack.state == DeadlineState.MET and ack.met_at == minutes(12)


def test_it_moves_the_acknowledgement_back_when_an_earlier_one_is_entered(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(20)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    assert by_step(incident)["acknowledge"].state == DeadlineState.BREACHED
    at(25)
    incidents.incident_acknowledge(incident=incident, actor=people["commander"], acknowledged_at=minutes(14))
    incident.refresh_from_db()
    assert incident.acknowledged_at == minutes(14)
    assert by_step(incident)["acknowledge"].state == DeadlineState.MET


def test_it_ignores_an_acknowledgement_later_than_the_one_on_record(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(10)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    at(30)
    incidents.incident_acknowledge(incident=incident, actor=people["commander"], acknowledged_at=minutes(20))
    incident.refresh_from_db()
    assert incident.acknowledged_at == minutes(10)
    assert incident.events.filter(kind=EventKind.ACKNOWLEDGEMENT).count() == 1


def test_it_acknowledges_when_an_acknowledgement_event_is_logged(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(40)
    event = timeline.timeline_event_log(incident=incident, actor=people["responder"], kind=EventKind.ACKNOWLEDGEMENT,
                                        body="Wang Fang took command on the phone.", occurred_at=minutes(9))
    incident.refresh_from_db()
    assert event.kind == EventKind.ACKNOWLEDGEMENT and event.occurred_at == minutes(9)
    assert incident.acknowledged_at == minutes(9)
    assert by_step(incident)["acknowledge"].state == DeadlineState.MET


# When a fact happened: the bounds


@pytest.mark.parametrize("when", [minutes(40), T0 - timedelta(days=31)])
def test_it_refuses_a_publication_time_in_the_future_or_long_before_the_signal(incident_at_t0, people, at, when):
    incident = incident_at_t0()
    at(30)
    with pytest.raises(InvalidInput) as caught:
        publish(incident, people, published_at=when)
    assert "published_at" in caught.value.fields


def test_it_accepts_a_few_minutes_of_clock_skew(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(30)
    publish(incident, people, published_at=minutes(33))
    assert by_step(incident)["holding-statement"].met_at == minutes(33)


def test_it_refuses_a_checkpoint_measured_months_before_the_signal(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(30)
    with pytest.raises(InvalidInput) as caught:
        checkpoint(incident, people, T0 - timedelta(days=90))
    assert "measured_at" in caught.value.fields


# Ticking off by hand, with a time


def test_it_ticks_off_a_breached_step_as_done_in_time_when_it_was(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(24 * 60 + 1))
    follow_up = by_step(incident)["follow-up-report"]
    deadlines.deadline_mark_met(deadline=follow_up, actor=people["responder"], note="Sent to the board",
                                happened_at=minutes(23 * 60))
    follow_up.refresh_from_db()
    assert follow_up.state == DeadlineState.MET and follow_up.met_at == minutes(23 * 60)
    assert Breach.objects.get(deadline=follow_up).retracted_at is not None


def test_it_refuses_to_tick_off_a_deadline_already_met(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(10)
    follow_up = by_step(incident)["follow-up-report"]
    deadlines.deadline_mark_met(deadline=follow_up, actor=people["responder"], note="Sent")
    follow_up.refresh_from_db()
    with pytest.raises(InvalidTransition):
        deadlines.deadline_mark_met(deadline=follow_up, actor=people["responder"], note="Again")


# Repeating steps look forward


def test_it_keeps_only_the_current_and_next_occurrence_when_logged_hours_late(open_incident, at):
    at(5 * 60)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    cadence = incident.deadlines.filter(step_key="sentiment-cadence")
    # Due every 30 min from T0+1h to T0+4h: 7 occurrences, all before it was logged.
    assert [(d.occurrence, d.state) for d in cadence] == [(0, DeadlineState.BREACHED)]
    passed = PassedOccurrences.objects.get(incident=incident, step_key="sentiment-cadence")
    assert (passed.first_occurrence, passed.count, passed.first_due_at) == (1, 6, minutes(90))
    assert passed.is_before_logging


def test_it_keeps_a_step_that_repeats_until_resolved_to_one_pending_occurrence_ahead(open_incident, at):
    now = at(60 * 24 * 240)  # eight months on
    incident = open_incident(first_public_signal_at=T0, severity=2)
    update = incident.deadlines.filter(step_key="public-update").order_by("occurrence")
    assert [d.state for d in update] == [DeadlineState.BREACHED, DeadlineState.PENDING]
    assert now < update[1].due_at <= now + timedelta(hours=4)
    passed = PassedOccurrences.objects.get(incident=incident, step_key="public-update")
    assert passed.count == update[1].occurrence - 1
    assert incident.deadlines.count() < 12


def test_it_counts_the_occurrences_a_dead_engine_let_pass_in_one_record(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))  # the cadence's first occurrence, due T0+1h
    deadlines_breach_due(now=at(200))  # the engine was down from T0+1h to T0+3h20
    states = list(incident.deadlines.filter(step_key="sentiment-cadence").order_by("occurrence")
                  .values_list("occurrence", "state"))
    assert states == [(0, "breached"), (1, "breached"), (5, "pending")]
    passed = PassedOccurrences.objects.get(incident=incident, step_key="sentiment-cadence")
    # Due at T0+2h, 2h30 and 3h: gone by while nobody swept; the next one is due at T0+3h30.
    assert (passed.first_occurrence, passed.count, passed.is_before_logging) == (2, 3, False)


# One page, not a storm


def test_it_pages_once_for_everything_already_missed_when_logged_hours_late(open_incident, org, at):
    at(5 * 60)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    sweep_and_dispatch(at(5 * 60))
    page = Page.objects.get(incident=incident)
    assert page.title.startswith("Logged late: 6 deadlines already missed")
    for name in ("Acknowledge", "Baseline", "Holding", "Stakeholder", "Full statement", "Sentiment checkpoint"):
        assert name in page.body
    assert "6 more occurrences passed before this was logged" in page.body


def test_it_resolves_the_one_page_when_every_deadline_it_listed_is_done(open_incident, people, at):
    at(36)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    sweep_and_dispatch(at(36))
    page = Page.objects.get(incident=incident)
    assert "Acknowledge" in page.body and "Baseline" in page.body
    incidents.incident_acknowledge(incident=incident, actor=people["responder"], acknowledged_at=minutes(10))
    page.refresh_from_db()
    assert page.state == PageState.TRIGGERED  # the baseline is still owed
    checkpoint(incident, people, minutes(25))
    page.refresh_from_db()
    assert page.state == PageState.RESOLVED


def test_it_pages_nobody_for_a_retrospective_incident_and_says_so(open_incident, at):
    at(60 * 24 * 240)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    sweep_and_dispatch(at(60 * 24 * 240))
    assert incident.is_retrospective
    assert not Page.objects.filter(incident=incident).exists()
    assert incident.events.filter(body__contains="nobody is paged").exists()


def test_it_treats_an_incident_as_retrospective_after_the_organization_s_setting(open_incident, org, at):
    org.retrospective_after_seconds = 3600
    org.save()
    at(61)
    assert open_incident(first_public_signal_at=T0).is_retrospective
    at(59)
    assert not open_incident(first_public_signal_at=minutes(0)).is_retrospective


# Resolving judges what fell due before it


def test_it_breaches_rather_than_cancels_what_fell_due_before_an_unswept_resolution(incident_at_t0, people, at):
    incident = incident_at_t0()
    incidents.incident_acknowledge(incident=incident, actor=people["responder"], acknowledged_at=minutes(5))
    at(90)  # the engine is down: nothing was swept
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
    sweep_and_dispatch(at(91))
    steps = by_step(incident)
    assert steps["holding-statement"].state == DeadlineState.BREACHED
    assert steps["sentiment-baseline"].state == DeadlineState.BREACHED
    assert steps["full-statement"].state == DeadlineState.CANCELLED
    assert not Page.objects.filter(incident=incident).exists()


def test_it_judges_up_to_a_resolution_time_entered_after_the_fact(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(300)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved",
                                  occurred_at=minutes(50))
    incident.refresh_from_db()
    steps = by_step(incident)
    assert incident.resolved_at == minutes(50)
    assert steps["sentiment-baseline"].state == DeadlineState.BREACHED
    assert steps["holding-statement"].state == DeadlineState.CANCELLED
    assert not PassedOccurrences.objects.filter(incident=incident).exists()


def test_it_refuses_a_resolution_time_before_the_first_public_signal(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(30)
    with pytest.raises(InvalidInput) as caught:
        incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved",
                                      occurred_at=T0 - timedelta(minutes=1))
    assert "occurred_at" in caught.value.fields


def test_it_owes_nothing_for_a_false_alarm(open_incident, people, at):
    at(90)
    incident = open_incident(first_public_signal_at=minutes(80), status="monitoring")
    at(200)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="false_alarm")
    assert set(incident.deadlines.values_list("state", flat=True)) == {DeadlineState.CANCELLED}


# A retracted occurrence restarts its cadence


def test_it_restarts_the_cadence_from_a_checkpoint_that_retracts_its_breach(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    assert by_step(incident, occurrence=1)["sentiment-cadence"].due_at == minutes(90)
    at(70)
    checkpoint(incident, people, minutes(58))
    assert by_step(incident)["sentiment-cadence"].state == DeadlineState.MET
    assert by_step(incident, occurrence=1)["sentiment-cadence"].due_at == minutes(88)


def test_it_leaves_the_next_occurrence_alone_when_restarting_would_put_it_in_the_past(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    at(89)
    checkpoint(incident, people, minutes(55))
    assert by_step(incident, occurrence=1)["sentiment-cadence"].due_at == minutes(90)


# A surge runs from when opinion surged


def test_it_times_a_surge_from_the_measurement_not_from_its_entry(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(40)
    checkpoint(incident, people, minutes(19), negative_share=0.3)
    checkpoint(incident, people, minutes(25), negative_share=0.8)
    assert incident.deadlines.get(kind="surge").due_at == minutes(55)


def test_it_pages_a_surge_entered_too_late_to_answer_in_time_once(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(70)
    checkpoint(incident, people, minutes(19), negative_share=0.3)
    checkpoint(incident, people, minutes(25), negative_share=0.8)
    sweep_and_dispatch(at(71))
    assert incident.deadlines.get(kind="surge").state == DeadlineState.BREACHED
    assert Page.objects.filter(incident=incident, deadline__kind="surge").count() == 0
    assert Page.objects.filter(incident=incident, dedup_key__startswith="surge:").count() == 1


def test_it_pages_once_for_what_a_back_dated_signal_has_already_passed(open_incident, people, at):
    at(10)
    incident = open_incident(first_public_signal_at=minutes(5), severity=2)
    incidents.incident_update_details(incident=incident, actor=people["commander"],
                                      first_public_signal_at=minutes(-180))
    sweep_and_dispatch(at(10))
    page = Page.objects.get(incident=incident)
    # 190 min since the re-dated signal: acknowledge, baseline, holding, briefing, the first check-in ...
    assert page.title.startswith("Logged late: 5 deadlines already missed")
    # ... and the check-ins due 90, 120, 150 and 180 min after it.
    assert "4 more occurrences passed before this was logged" in page.body


def test_it_withdraws_a_breach_that_a_resolution_entered_later_shows_was_not_owed(open_incident, people, at):
    at(26 * 60)
    incident = open_incident(first_public_signal_at=T0, severity=2)
    assert by_step(incident)["follow-up-report"].state == DeadlineState.BREACHED
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved",
                                  occurred_at=minutes(10 * 60))
    follow_up = by_step(incident)["follow-up-report"]
    assert follow_up.state == DeadlineState.CANCELLED
    assert Breach.objects.get(deadline=follow_up).retracted_at is not None
    assert by_step(incident)["full-statement"].state == DeadlineState.BREACHED


def test_it_records_that_a_step_met_once_was_met_earlier_than_first_entered(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(55)
    publish(incident, people, published_at=minutes(50))
    at(58)
    publish(incident, people, published_at=minutes(30), channel="douyin")
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.MET and holding.met_at == minutes(30)
    assert incident.events.filter(body__startswith="Deadline met earlier than recorded").count() == 1
