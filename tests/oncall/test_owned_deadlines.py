"""Owned deadlines (a promise, an approval, an inquiry, an action item) page their owner, then the deputies,
then the commander; the feature that owns the record settles or cancels them (crisis/services/owned_deadlines.py)."""

from datetime import timedelta

import pytest

from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState
from crisis.oncall.models import Page, PageSource, PageState
from crisis.oncall.services.pages import page_acknowledge
from crisis.oncall.warnings import deadline_warnings_page
from crisis.services.errors import ConcurrentUpdate, InvalidTransition
from crisis.services.owned_deadlines import (
    owned_deadline_cancel,
    owned_deadline_create,
    owned_deadline_for,
    owned_deadline_move,
    owned_deadline_settle,
    owner_chain,
)
from tests.deadline_helpers import T0

from .helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db


def promise(incident, owner, *, due, deputies=(), warn_before=None, record_id=1):
    return owned_deadline_create(
        incident=incident, kind=DeadlineKind.COMMITMENT, record_type="commitment", record_id=record_id,
        name="公布调查进展 (by noon)", due_at=due, owner=owner,
        chain=owner_chain(owner_id=owner.pk, deputy_ids=[d.pk for d in deputies], wait=timedelta(minutes=5)),
        warn_before=warn_before)


def test_it_pages_the_owner_then_the_deputy_then_the_commander(commanded_incident, policy, people, at):
    incident = commanded_incident()
    promise(incident, people["approver"], due=T0 + timedelta(minutes=60), deputies=[people["admin"]])
    sweep_and_dispatch(at(61))
    page = Page.objects.get(deadline__kind=DeadlineKind.COMMITMENT, source=PageSource.BREACH)
    assert page.title == "Missed: 公布调查进展 (by noon)"
    assert recipients(page) == [people["approver"].username]
    assert page.policy_id is None  # the owner's chain, not the SEV2 policy (which pages on call first)
    sweep_and_dispatch(at(66))
    assert recipients(page, step=1) == [people["admin"].username]
    sweep_and_dispatch(at(71))
    assert recipients(page, step=2) == [people["commander"].username]


def test_it_stops_at_whoever_acknowledges(commanded_incident, policy, people, at):
    incident = commanded_incident()
    promise(incident, people["approver"], due=T0 + timedelta(minutes=60), deputies=[people["admin"]])
    sweep_and_dispatch(at(61))
    page = Page.objects.get(deadline__kind=DeadlineKind.COMMITMENT, source=PageSource.BREACH)
    page_acknowledge(page=page, actor=people["approver"])
    sweep_and_dispatch(at(80))
    assert sorted(Page.objects.get(pk=page.pk).deliveries.values_list("step", flat=True)) == [0]


def test_it_warns_the_owner_alone_before_it_slips(commanded_incident, policy, people, at):
    incident = commanded_incident()
    promise(incident, people["approver"], due=T0 + timedelta(minutes=60), warn_before=timedelta(minutes=15))
    warnings = Page.objects.filter(source=PageSource.WARNING, deadline__kind=DeadlineKind.COMMITMENT)
    deadline_warnings_page(now=at(44))
    assert not warnings.exists()
    deadline_warnings_page(now=at(45))
    deadline_warnings_page(now=at(46))
    (warning,) = warnings
    assert recipients(warning) == [people["approver"].username]
    assert warning.title == "Due in 15 min: 公布调查进展 (by noon)"


def test_a_promise_logged_after_its_time_pages_its_owner_at_once(commanded_incident, policy, people, at):
    incident = commanded_incident()
    at(90)
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60))
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.BREACHED
    sweep_and_dispatch(at(90))
    page = Page.objects.get(deadline=deadline)
    assert recipients(page) == [people["approver"].username]  # its own page, not the "logged late" summary


def test_settling_it_in_time_after_the_alarm_retracts_the_breach_and_resolves_the_page(
        commanded_incident, policy, people, at):
    incident = commanded_incident()
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60))
    sweep_and_dispatch(at(61))
    deadline.refresh_from_db()
    owned_deadline_settle(deadline=deadline, happened_at=T0 + timedelta(minutes=55), actor=people["approver"])
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    assert Breach.objects.get(deadline=deadline).retracted_at is not None
    assert Page.objects.get(deadline=deadline).state == PageState.RESOLVED


def test_settling_it_late_keeps_the_breach_and_says_by_how_much(commanded_incident, policy, people, at):
    incident = commanded_incident()
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60))
    at(100)
    settled = owned_deadline_settle(deadline=deadline, happened_at=T0 + timedelta(minutes=75),
                                    actor=people["approver"])
    assert (settled.state, settled.met_at) == (DeadlineState.BREACHED, T0 + timedelta(minutes=75))
    assert incident.events.filter(metadata__state="met_late", metadata__late_minutes=15).exists()


def test_a_settle_that_lost_the_race_changes_nothing(commanded_incident, people, at):
    incident = commanded_incident()
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60))
    stale = Deadline.objects.get(pk=deadline.pk)
    owned_deadline_move(deadline=deadline, due_at=T0 + timedelta(minutes=90))
    with pytest.raises(ConcurrentUpdate):
        owned_deadline_settle(deadline=stale, happened_at=T0 + timedelta(minutes=30), actor=people["approver"])
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.PENDING


def test_cancelling_stops_the_alarm(commanded_incident, policy, people, at):
    incident = commanded_incident()
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60))
    owned_deadline_cancel(deadline=deadline, reason="withdrawn: the regulator asked us to wait")
    sweep_and_dispatch(at(61))
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.CANCELLED
    assert not Page.objects.filter(deadline=deadline).exists()
    with pytest.raises(InvalidTransition):
        owned_deadline_move(deadline=Deadline.objects.get(pk=deadline.pk), due_at=T0 + timedelta(minutes=90))


def test_cancelling_after_the_alarm_resolves_its_page(commanded_incident, policy, people, at):
    incident = commanded_incident()
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60))
    sweep_and_dispatch(at(61))
    owned_deadline_cancel(deadline=deadline, reason="withdrawn")
    assert Page.objects.get(deadline=deadline).state == PageState.RESOLVED
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.BREACHED  # the record of the slip stays


def test_it_finds_the_deadline_of_a_record(commanded_incident, people):
    incident = commanded_incident()
    deadline = promise(incident, people["approver"], due=T0 + timedelta(minutes=60), record_id=7)
    assert owned_deadline_for(record_type="commitment", record_id=7, incident=incident) == deadline
    assert owned_deadline_for(record_type="commitment", record_id=8, incident=incident) is None
