from datetime import timedelta

import pytest

from crisis.models import Breach, DeadlineState, Severity
from crisis.services import deadlines, incidents, sentiment, statements, timeline
from crisis.services.errors import ConcurrentUpdate, InvalidTransition, PermissionDenied
from crisis.timers.sweeper import deadlines_breach_due
from tests.deadline_helpers import T0, by_step

pytestmark = pytest.mark.django_db


def publish(incident, people, *, kind="holding", channel="weibo", published_at=None):
    st = statements.statement_create(incident=incident, actor=people["responder"], channel=channel, kind=kind,
                                     body="我们已关注到视频，正在调查。")
    statements.statement_submit_for_review(statement=st, actor=people["responder"])
    statements.statement_approve(statement=st, actor=people["approver"])
    return statements.statement_publish(statement=st, actor=people["commander"], published_at=published_at)


def checkpoint(incident, people, at_time, **measures):
    measures.setdefault("negative_share", 0.3)
    return sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=at_time,
                                                 source="Weibo", **measures)


def test_it_marks_the_holding_statement_met_when_published_in_time(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(59)
    publish(incident, people)
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.MET
    assert holding.satisfied_by_event is not None


def test_it_does_not_let_an_internal_briefing_satisfy_the_public_holding_statement(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(20)
    publish(incident, people, kind="internal_briefing", channel="internal")
    steps = by_step(incident)
    assert steps["holding-statement"].state == DeadlineState.PENDING
    assert steps["stakeholder-briefing"].state == DeadlineState.MET


def test_it_breaches_and_records_late_satisfaction_when_published_after_the_deadline(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(75)
    publish(incident, people)
    holding = by_step(incident)["holding-statement"]
    assert holding.state == DeadlineState.BREACHED
    assert holding.met_at - holding.due_at == timedelta(minutes=15)
    assert Breach.objects.filter(deadline=holding).count() == 1


def test_it_meets_the_acknowledge_step_when_the_incident_is_acknowledged(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(10)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    assert by_step(incident)["acknowledge"].state == DeadlineState.MET


def test_it_rolls_the_sentiment_cadence_thirty_minutes_after_each_checkpoint_was_measured(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(50)
    checkpoint(incident, people, T0 + timedelta(minutes=49))
    assert by_step(incident)["sentiment-cadence"].state == DeadlineState.MET
    assert by_step(incident, occurrence=1)["sentiment-cadence"].due_at == T0 + timedelta(minutes=79)


def test_it_does_not_let_the_baseline_checkpoint_pre_pay_the_cadence(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(20)
    checkpoint(incident, people, T0 + timedelta(minutes=19))
    steps = by_step(incident)
    assert steps["sentiment-baseline"].state == DeadlineState.MET
    assert steps["sentiment-cadence"].state == DeadlineState.PENDING


def test_it_stops_the_cadence_after_the_first_four_hours(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(235)
    deadlines_breach_due(now=T0 + timedelta(minutes=235))
    checkpoint(incident, people, T0 + timedelta(minutes=234))
    cadence = incident.deadlines.filter(step_key="sentiment-cadence")
    assert not cadence.filter(state=DeadlineState.PENDING).exists()
    assert max(d.due_at for d in cadence) <= T0 + timedelta(hours=4)


def test_it_says_sentiment_is_stale_when_the_cadence_slips(incident_at_t0, at):
    incident = incident_at_t0()
    at(61)
    deadlines_breach_due(now=T0 + timedelta(minutes=61))
    assert incident.events.filter(body__startswith="Sentiment is stale").count() == 1


def test_it_meets_an_event_kind_step_when_that_kind_is_logged(incident_at_t0, people, at):
    incident = incident_at_t0()
    snapshot = incident.playbook_snapshot
    snapshot.append({**snapshot[0], "key": "legal-review", "satisfied_by": "event_kind", "event_kind": "decision"})
    type(incident).objects.filter(pk=incident.pk).update(playbook_snapshot=snapshot)
    incident.deadlines.create(step_key="legal-review", name="Legal review", due_at=T0 + timedelta(minutes=90))
    incident.refresh_from_db()
    at(30)
    timeline.timeline_event_log(incident=incident, actor=people["responder"], kind="decision", body="Legal cleared.")
    assert incident.deadlines.get(step_key="legal-review").state == DeadlineState.MET


def test_it_adds_a_surge_deadline_and_suggests_a_higher_severity_when_negativity_crosses_the_threshold(
        incident_at_t0, people, at):
    incident = incident_at_t0(severity=Severity.SEV3)
    at(20)
    checkpoint(incident, people, T0 + timedelta(minutes=19), negative_share=0.4)
    checkpoint(incident, people, T0 + timedelta(minutes=20), negative_share=0.75)
    incident.refresh_from_db()
    assert incident.severity_suggestion == 2
    surge = incident.deadlines.get(kind="surge")
    assert surge.due_at == T0 + timedelta(minutes=50)


def test_it_keeps_one_pending_surge_deadline_at_a_time(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(20)
    checkpoint(incident, people, T0 + timedelta(minutes=18), negative_share=0.7)
    checkpoint(incident, people, T0 + timedelta(minutes=19), mention_volume=100)
    checkpoint(incident, people, T0 + timedelta(minutes=20), mention_volume=1000)
    assert incident.deadlines.filter(kind="surge").count() == 1


def test_it_treats_a_volume_jump_by_the_surge_ratio_as_a_surge(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(20)
    checkpoint(incident, people, T0 + timedelta(minutes=15), mention_volume=1000, negative_share=0.2)
    checkpoint(incident, people, T0 + timedelta(minutes=20), mention_volume=1600, negative_share=0.2)
    assert incident.deadlines.filter(kind="surge").exists()


def test_it_extends_a_deadline_with_a_reason_and_bumps_its_version(incident_at_t0, people):
    incident = incident_at_t0()
    holding = by_step(incident)["holding-statement"]
    deadlines.deadline_extend(deadline=holding, actor=people["commander"], minutes=20, reason="Legal review")
    holding.refresh_from_db()
    assert holding.due_at == T0 + timedelta(minutes=80)
    assert holding.version == 2


def test_it_refuses_to_extend_with_a_stale_version(incident_at_t0, people):
    incident = incident_at_t0()
    holding = by_step(incident)["holding-statement"]
    stale = type(holding).objects.get(pk=holding.pk)
    deadlines.deadline_extend(deadline=holding, actor=people["commander"], minutes=20, reason="Legal review")
    with pytest.raises(ConcurrentUpdate):
        deadlines.deadline_extend(deadline=stale, actor=people["commander"], minutes=5, reason="again")


def test_it_waives_a_deadline_with_a_reason(incident_at_t0, people):
    incident = incident_at_t0()
    briefing = by_step(incident)["stakeholder-briefing"]
    deadlines.deadline_waive(deadline=briefing, actor=people["commander"], reason="Briefed in person")
    briefing.refresh_from_db()
    assert (briefing.state, briefing.waive_reason) == (DeadlineState.WAIVED, "Briefed in person")


def test_it_refuses_to_waive_a_deadline_that_is_no_longer_pending(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(16)
    deadlines_breach_due(now=T0 + timedelta(minutes=16))
    ack = by_step(incident)["acknowledge"]
    with pytest.raises(InvalidTransition):
        deadlines.deadline_waive(deadline=ack, actor=people["commander"], reason="late anyway")


def test_it_only_lets_commanders_waive(incident_at_t0, people):
    incident = incident_at_t0()
    with pytest.raises(PermissionDenied):
        deadlines.deadline_waive(deadline=by_step(incident)["holding-statement"], actor=people["approver"],
                                 reason="no")


def test_it_lets_a_responder_tick_off_a_manual_step_with_a_note(incident_at_t0, people):
    incident = incident_at_t0()
    report = by_step(incident)["follow-up-report"]
    deadlines.deadline_mark_met(deadline=report, actor=people["responder"], note="Sent to the board")
    report.refresh_from_db()
    assert (report.state, report.note) == (DeadlineState.MET, "Sent to the board")


def test_it_keeps_the_first_record_when_two_satisfactions_race(incident_at_t0, people, at):
    from crisis.playbooks.satisfaction import deadline_record_met

    incident = incident_at_t0()
    at(10)
    ack = by_step(incident)["acknowledge"]
    stale = type(ack).objects.get(pk=ack.pk)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    deadline_record_met(deadline=stale, incident=incident, happened_at=T0 + timedelta(minutes=11),
                        now=T0 + timedelta(minutes=11), event=None, note="late")
    ack.refresh_from_db()
    assert ack.note == "" and ack.version == 2
