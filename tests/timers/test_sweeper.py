from datetime import timedelta

import pytest

from crisis.models import Breach, DeadlineState
from crisis.timers import tasks
from crisis.timers.sweeper import NextDue, deadline_breach_if_due, deadline_next_due, deadlines_breach_due
from tests.deadline_helpers import T0, by_step

pytestmark = pytest.mark.django_db


def test_it_breaches_every_deadline_due_at_the_sweep_and_nothing_later(incident_at_t0, at):
    incident = incident_at_t0()
    now = at(60)
    assert deadlines_breach_due(now=now) == 4  # acknowledge, baseline, holding, first cadence
    states = {k: d.state for k, d in by_step(incident).items()}
    assert states["stakeholder-briefing"] == DeadlineState.PENDING
    assert all(states[k] == DeadlineState.BREACHED
               for k in ("acknowledge", "sentiment-baseline", "holding-statement", "sentiment-cadence"))


def test_it_breaches_a_deadline_exactly_once_however_often_it_sweeps(incident_at_t0, at):
    incident = incident_at_t0()
    now = at(16)
    deadlines_breach_due(now=now)
    deadlines_breach_due(now=now)
    assert Breach.objects.filter(incident=incident).count() == 1


def test_it_writes_the_breach_event_at_the_due_time(incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(16))
    event = incident.events.get(kind="deadline", metadata__state="breached")
    assert event.occurred_at == T0 + timedelta(minutes=15)


def test_it_does_nothing_when_the_timer_carries_an_old_version(incident_at_t0, people, at):
    from crisis.services.deadlines import deadline_extend

    incident = incident_at_t0()
    ack = by_step(incident)["acknowledge"]
    deadline_extend(deadline=ack, actor=people["commander"], minutes=30, reason="Team still assembling")
    assert deadline_breach_if_due(deadline_id=ack.pk, version=1, now=at(16)) is False
    assert not Breach.objects.exists()


def test_it_breaches_through_the_celery_task_when_due(incident_at_t0, at):
    incident = incident_at_t0()
    ack = by_step(incident)["acknowledge"]
    at(15)
    assert tasks.deadline_due(ack.pk, ack.version) is True
    assert tasks.deadline_due(ack.pk, ack.version) is False
    assert Breach.objects.filter(incident=incident).count() == 1


def test_it_does_not_breach_early_when_a_timer_fires_before_the_due_time(incident_at_t0, at):
    incident = incident_at_t0()
    ack = by_step(incident)["acknowledge"]
    at(14.99)
    assert tasks.deadline_due(ack.pk, ack.version) is False


def test_it_marks_a_breach_dispatched_once(incident_at_t0, at):
    incident_at_t0()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()
    assert tasks.breach_dispatch(breach.pk) is True
    assert tasks.breach_dispatch(breach.pk) is False


def test_it_knows_when_the_next_deadline_falls_due(incident_at_t0, at):
    incident_at_t0()
    assert deadline_next_due(swept_at=at(5)) == NextDue(at=T0 + timedelta(minutes=15), held=False)


def test_it_tells_a_due_row_the_sweep_left_pending_apart_from_the_next_due_time(incident_at_t0, at):
    incident = incident_at_t0()
    swept_at = at(16)  # as if a sweep now had found the acknowledge deadline (due at 15 min) locked
    later = min(d.due_at for d in incident.deadlines.all() if d.due_at > swept_at)
    assert deadline_next_due(swept_at=swept_at) == NextDue(at=later, held=True)


def test_it_rolls_the_next_occurrence_one_interval_after_a_missed_one(incident_at_t0, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    assert by_step(incident, occurrence=1)["sentiment-cadence"].due_at == T0 + timedelta(minutes=90)


def test_it_sweeps_once_from_the_command_line(incident_at_t0, at):
    from io import StringIO

    from django.core.management import call_command

    incident_at_t0()
    at(16)
    out = StringIO()
    call_command("run_engine", "--once", stdout=out)
    assert "breached 1" in out.getvalue()


def test_a_firing_timer_breaches_the_other_due_deadlines_too(incident_at_t0, at):
    incident = incident_at_t0()
    ack = by_step(incident)["acknowledge"]
    now = at(60)  # acknowledge, baseline, holding and the first cadence are all due
    assert deadline_breach_if_due(deadline_id=ack.pk, version=ack.version, now=now) is True
    assert Breach.objects.filter(incident=incident).count() == 4
    assert deadlines_breach_due(now=now) == 0


def test_a_timer_for_a_moved_deadline_still_sweeps_its_due_neighbours(incident_at_t0, people, at):
    from crisis.services.deadlines import deadline_extend

    incident = incident_at_t0()
    ack = by_step(incident)["acknowledge"]
    deadline_extend(deadline=ack, actor=people["commander"], minutes=60, reason="Team still assembling")
    assert deadline_breach_if_due(deadline_id=ack.pk, version=1, now=at(60)) is False
    assert by_step(incident)["acknowledge"].state == DeadlineState.PENDING
    assert by_step(incident)["holding-statement"].state == DeadlineState.BREACHED
