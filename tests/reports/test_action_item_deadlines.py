"""A post-mortem action item with a due date is an owned deadline: it warns and pages its owner, then the
commander, and keeps doing so after the incident is resolved (crisis/reports/action_item_deadlines.py)."""

from datetime import date, timedelta

import pytest

from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, IncidentStatus, PlaybookStep
from crisis.oncall.models import Page, PageSource, PageState
from crisis.oncall.warnings import deadline_warnings_page
from crisis.reports.action_item_deadlines import action_item_deadline
from crisis.reports.models import ActionItemStatus
from crisis.reports.services import action_item_create, action_item_update
from crisis.services.errors import ConcurrentUpdate, InvalidInput
from crisis.services.incidents import incident_transition
from crisis.services.owned_deadlines import owned_deadline_create, owner_chain
from tests.deadline_helpers import T0
from tests.oncall.helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db

# T0 is 02:00 on 25 November in Shanghai; "due 25 November" ends at midnight there, 16:00 UTC, T0 + 22 h.
DUE_ON = date(2026, 11, 25)
END_OF_DAY = 22 * 60


@pytest.fixture
def incident(incident_at_t0, people):
    return incident_at_t0(commander=people["commander"])


def item_due(incident, people, due_on=DUE_ON, owner="approver"):
    return action_item_create(incident=incident, actor=people["responder"], title="换掉第三方电池供应商",
                              owner=people[owner], due_on=due_on)


def resolve(incident, people, **kw):
    incident.refresh_from_db()
    return incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.RESOLVED,
                               **kw)


def item_pages():
    return Page.objects.filter(deadline__kind=DeadlineKind.ACTION_ITEM, source=PageSource.BREACH)


def test_it_is_due_at_the_end_of_its_day_in_the_incident_zone(incident, people):
    deadline = action_item_deadline(item_due(incident, people))
    assert deadline.due_at == T0 + timedelta(minutes=END_OF_DAY)
    assert (deadline.kind, deadline.owner, deadline.state) == (DeadlineKind.ACTION_ITEM, people["approver"],
                                                               DeadlineState.PENDING)


def test_an_item_without_a_due_date_owes_no_deadline(incident, people):
    assert action_item_deadline(item_due(incident, people, due_on=None)) is None


@pytest.mark.parametrize("resolved", [False, True], ids=["open", "after-the-incident-is-resolved"])
def test_it_pages_its_owner_then_the_commander(incident, people, at, resolved):
    item_due(incident, people)
    if resolved:
        at(60)
        resolve(incident, people, confirmed={"open_items"})
        assert action_item_deadline(incident.action_items.get()).state == DeadlineState.PENDING
    sweep_and_dispatch(at(END_OF_DAY + 1))
    (page,) = item_pages()
    assert recipients(page) == [people["approver"].username]
    sweep_and_dispatch(at(END_OF_DAY + 7))
    assert recipients(page, step=1) == [people["commander"].username]


def test_it_warns_its_owner_after_the_incident_is_resolved(incident, people, at):
    item_due(incident, people)
    at(60)
    resolve(incident, people, confirmed={"open_items"})
    deadline_warnings_page(now=at(END_OF_DAY - 170))
    (warning,) = Page.objects.filter(source=PageSource.WARNING, deadline__kind=DeadlineKind.ACTION_ITEM)
    assert recipients(warning) == [people["approver"].username]


def test_its_page_stays_open_when_the_incident_is_resolved(incident, people, at):
    item_due(incident, people)
    sweep_and_dispatch(at(END_OF_DAY + 1))
    resolve(incident, people, confirmed={"open_items"})
    (page,) = item_pages()
    assert page.state == PageState.TRIGGERED
    sweep_and_dispatch(at(END_OF_DAY + 7))
    assert recipients(page, step=1) == [people["commander"].username]


def test_other_owned_deadlines_still_page_nobody_once_the_incident_is_over(incident, people, at):
    owned_deadline_create(incident=incident, kind=DeadlineKind.COMMITMENT, record_type="commitment", record_id=1,
                          name="公布调查进展", due_at=T0 + timedelta(minutes=END_OF_DAY),
                          owner=people["approver"], chain=owner_chain(owner_id=people["approver"].pk))
    at(60)
    resolve(incident, people)
    sweep_and_dispatch(at(END_OF_DAY + 1))
    assert not Page.objects.filter(deadline__kind=DeadlineKind.COMMITMENT).exists()


def test_an_item_done_late_is_met_late(incident, people, at):
    item = item_due(incident, people)
    sweep_and_dispatch(at(END_OF_DAY + 30))
    action_item_update(item=item, actor=people["approver"], expected_version=1, status=ActionItemStatus.DONE)
    deadline = action_item_deadline(item)
    assert (deadline.state, deadline.met_at) == (DeadlineState.BREACHED, T0 + timedelta(minutes=END_OF_DAY + 30))
    assert item_pages().get().state == PageState.RESOLVED


def test_an_item_marked_done_late_but_done_in_time_retracts_its_breach(incident, people, at):
    item = item_due(incident, people)
    sweep_and_dispatch(at(END_OF_DAY + 30))
    action_item_update(item=item, actor=people["approver"], expected_version=1, status=ActionItemStatus.DONE,
                       completed_at=T0 + timedelta(minutes=END_OF_DAY - 60))
    deadline = action_item_deadline(item)
    assert deadline.state == DeadlineState.MET
    assert Breach.objects.get(deadline=deadline).retracted_at is not None


def test_an_item_done_in_time_is_met_and_pages_nobody(incident, people, at):
    item = item_due(incident, people)
    at(120)
    action_item_update(item=item, actor=people["approver"], expected_version=1, status=ActionItemStatus.DONE)
    sweep_and_dispatch(at(END_OF_DAY + 30))
    assert action_item_deadline(item).state == DeadlineState.MET
    assert not item_pages().exists()


def test_a_completion_time_needs_the_item_marked_done(incident, people, at):
    item = item_due(incident, people)
    at(120)
    with pytest.raises(InvalidInput) as refused:
        action_item_update(item=item, actor=people["approver"], expected_version=1,
                           status=ActionItemStatus.IN_PROGRESS, completed_at=T0 + timedelta(minutes=60))
    assert "completed_at" in refused.value.fields


def test_a_new_due_date_moves_the_deadline(incident, people):
    item = item_due(incident, people)
    action_item_update(item=item, actor=people["responder"], expected_version=1, due_on=date(2026, 12, 1))
    deadline = action_item_deadline(item)
    assert deadline.due_at == T0 + timedelta(days=6, minutes=END_OF_DAY)
    assert Deadline.objects.filter(kind=DeadlineKind.ACTION_ITEM).count() == 1


def test_a_due_date_edit_that_lost_the_race_moves_nothing(incident, people):
    item = item_due(incident, people)
    stale = type(item).objects.get(pk=item.pk)
    action_item_update(item=item, actor=people["responder"], expected_version=1, due_on=date(2026, 12, 1))
    with pytest.raises(ConcurrentUpdate):
        action_item_update(item=stale, actor=people["commander"], expected_version=1, due_on=date(2026, 12, 9))
    assert action_item_deadline(item).due_at == T0 + timedelta(days=6, minutes=END_OF_DAY)


def test_a_new_date_for_an_item_that_slipped_keeps_the_miss_and_owes_a_fresh_deadline(incident, people, at):
    item = item_due(incident, people)
    sweep_and_dispatch(at(END_OF_DAY + 30))
    action_item_update(item=item, actor=people["responder"], expected_version=1, due_on=date(2026, 12, 1))
    first, second = Deadline.objects.filter(kind=DeadlineKind.ACTION_ITEM).order_by("occurrence")
    assert first.state == DeadlineState.BREACHED
    assert (second.state, second.occurrence) == (DeadlineState.PENDING, 1)
    assert item_pages().get().state == PageState.RESOLVED


def test_a_new_owner_is_paged_instead(incident, people, at):
    item = item_due(incident, people)
    action_item_update(item=item, actor=people["responder"], expected_version=1, owner=people["admin"])
    assert action_item_deadline(item).owner == people["admin"]
    sweep_and_dispatch(at(END_OF_DAY + 1))
    assert recipients(item_pages().get()) == [people["admin"].username]


def test_a_dropped_item_is_owed_no_more(incident, people, at):
    item = item_due(incident, people)
    action_item_update(item=item, actor=people["responder"], expected_version=1, status=ActionItemStatus.DROPPED)
    assert action_item_deadline(item).state == DeadlineState.CANCELLED
    sweep_and_dispatch(at(END_OF_DAY + 1))
    assert not item_pages().exists()


def test_an_item_logged_after_its_due_date_pages_its_owner_at_once(incident, people, at):
    at(END_OF_DAY + 24 * 60)
    item = item_due(incident, people)
    assert action_item_deadline(item).state == DeadlineState.BREACHED
    sweep_and_dispatch(at(END_OF_DAY + 24 * 60))
    assert recipients(item_pages().get()) == [people["approver"].username]


def test_an_item_deadline_is_no_playbook_step(incident, people):
    item_due(incident, people)
    assert not PlaybookStep.objects.filter(key__startswith="action_item").exists()
