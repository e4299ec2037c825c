"""Promises: suggested from the text, confirmed by the author, tracked as deadlines when the statement goes out,
kept by a later fact or withdrawn with a reason."""

from datetime import timedelta

import pytest
from django.utils import translation

from crisis.commitments.models import Commitment, CommitmentState
from crisis.commitments.services.changes import commitment_confirm, commitment_dismiss, commitment_edit
from crisis.commitments.services.keeping import commitment_keep, commitment_withdraw
from crisis.commitments.services.suggestions import commitment_suggest
from crisis.models import AuditEntry, DeadlineKind, DeadlineState, TimelineEvent
from crisis.oncall.models import Page, PageSource
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition
from crisis.services.statements import statement_retract
from crisis.services.timeline import timeline_event_append
from tests.oncall.helpers import recipients, sweep_and_dispatch

from .conftest import minutes, publish

pytestmark = pytest.mark.django_db

PROMISE_30 = "我们高度重视。我们将在30分钟内公布调查进展。"
PROMISE_24H = "我们将在24小时内向市场监管部门提交书面说明。"


def test_a_promise_logged_after_its_time_is_breached_on_arrival_and_pages_its_owner(
        commanded_incident, policy, people, published, at):
    incident = commanded_incident()
    statement, (suggestion,) = published(incident, PROMISE_30, at=10)
    at(60)
    commitment = commitment_confirm(commitment=suggestion, actor=people["responder"], owner_id=people["approver"].pk)
    assert commitment.state == CommitmentState.OPEN
    assert commitment.due_at == minutes(40)  # 30 minutes after it went out, not after it was logged
    commitment.deadline.refresh_from_db()
    assert commitment.deadline.state == DeadlineState.BREACHED
    sweep_and_dispatch(at(60))
    page = Page.objects.get(deadline=commitment.deadline, source=PageSource.BREACH)
    assert recipients(page) == [people["approver"].username]


def test_publishing_reads_the_time_again_against_when_it_went_out(commanded_incident, people, approved, at):
    incident = commanded_incident()
    at(60)
    statement, (suggestion,) = approved(incident, PROMISE_24H)
    assert suggestion.due_at == minutes(60) + timedelta(hours=24)  # the preview, against now
    assert (suggestion.audience, suggestion.due_phrase) == ("regulator", "24小时内")
    commitment_confirm(commitment=suggestion, actor=people["responder"])
    publish(statement, people, at=30)  # went out from a phone half an hour ago
    commitment = Commitment.objects.get(pk=suggestion.pk)
    assert commitment.state == CommitmentState.OPEN
    assert commitment.due_at == minutes(30) + timedelta(hours=24)
    assert (commitment.deadline.kind, commitment.deadline.due_at) == (DeadlineKind.COMMITMENT, commitment.due_at)
    assert commitment.deadline.owner == people["responder"]


def test_a_time_set_by_hand_is_kept_at_publication(commanded_incident, people, approved, at):
    incident = commanded_incident()
    at(60)
    statement, (suggestion,) = approved(incident, PROMISE_24H)
    commitment_confirm(commitment=suggestion, actor=people["responder"], due_at=minutes(600))
    publish(statement, people, at=30)
    assert Commitment.objects.get(pk=suggestion.pk).due_at == minutes(600)


def test_nothing_unconfirmed_is_tracked(commanded_incident, people, approved, at):
    incident = commanded_incident()
    at(60)
    statement, (suggestion,) = approved(incident, PROMISE_24H)
    publish(statement, people, at=60)
    assert Commitment.objects.get(pk=suggestion.pk).state == CommitmentState.SUGGESTED
    assert not incident.deadlines.filter(kind=DeadlineKind.COMMITMENT).exists()


def test_a_dismissed_promise_is_not_offered_again(commanded_incident, people, approved, at):
    incident = commanded_incident()
    at(60)
    statement, (suggestion,) = approved(incident, PROMISE_24H)
    commitment_dismiss(commitment=suggestion, actor=people["responder"])
    rows = commitment_suggest(statement=statement, actor=people["responder"])
    assert [row.state for row in rows] == [CommitmentState.DISMISSED]


@pytest.mark.parametrize("bad", [
    {"due_at": "tomorrow"},
    {"warn_before_minutes": -5},
    {"audience": "everyone"},
    {"text": ""},
])
def test_bad_input_is_refused_with_its_field_and_nothing_is_written(commanded_incident, people, published, at, bad):
    incident = commanded_incident()
    statement, (suggestion,) = published(incident, PROMISE_30, at=10)
    events, audits = TimelineEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as error:
        commitment_confirm(commitment=suggestion, actor=people["responder"], **bad)
    assert set(error.value.fields) == set(bad)
    assert Commitment.objects.get(pk=suggestion.pk).state == CommitmentState.SUGGESTED
    assert (TimelineEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)


def test_an_owner_from_another_organization_is_refused(commanded_incident, people, published):
    statement, (suggestion,) = published(commanded_incident(), PROMISE_30, at=10)
    with pytest.raises(InvalidInput) as error:
        commitment_confirm(commitment=suggestion, actor=people["responder"], owner_id=people["outsider"].pk)
    assert list(error.value.fields) == ["owner"]


def test_a_confirm_that_lost_the_race_changes_nothing(commanded_incident, people, approved, at):
    incident = commanded_incident()
    at(60)
    statement, (suggestion,) = approved(incident, PROMISE_24H)
    stale = Commitment.objects.get(pk=suggestion.pk)
    commitment_edit(commitment=suggestion, actor=people["approver"], audience="public")
    with pytest.raises(ConcurrentUpdate):
        commitment_confirm(commitment=stale, actor=people["responder"])
    assert Commitment.objects.get(pk=suggestion.pk).state == CommitmentState.SUGGESTED


def _open(incident, people, published, at, body=PROMISE_30):
    statement, (suggestion,) = published(incident, body, at=10)
    return commitment_confirm(commitment=suggestion, actor=people["responder"])


def test_a_later_statement_keeps_it_on_time(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    at(36)
    later, _ = published(incident, "调查进展：初步确认为电池故障。", at=35)
    kept = commitment_keep(commitment=commitment, actor=people["responder"], kept_by_statement=later)
    assert (kept.state, kept.kept_at) == (CommitmentState.KEPT, minutes(35))
    kept.deadline.refresh_from_db()
    assert kept.deadline.state == DeadlineState.MET


def test_the_timeline_quotes_the_promise_so_its_own_full_stop_is_not_doubled(
        commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    _open(incident, people, published, at, body="We will publish the investigation within 30 minutes.")
    event = TimelineEvent.objects.filter(message__key="commitment.tracked").get()
    assert event.body.endswith("“We will publish the investigation within 30 minutes.”."), event.body
    assert ".." not in event.body
    with translation.override("zh-hans"):
        assert "“We will publish the investigation within 30 minutes.”。" in event.text


def test_an_event_logged_late_keeps_it_late_at_the_time_it_happened(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    at(90)
    event = timeline_event_append(incident=incident, kind="action", body="进展已在官网公布", occurred_at=minutes(55))
    kept = commitment_keep(commitment=commitment, actor=people["responder"], kept_by_event=event)
    kept.deadline.refresh_from_db()
    assert (kept.deadline.state, kept.deadline.met_at) == (DeadlineState.BREACHED, minutes(55))
    assert kept.kept_at == minutes(55)


@pytest.mark.parametrize("link", ["none", "both", "own statement", "other incident", "before the promise"])
def test_a_keep_with_a_bad_link_is_refused_and_nothing_is_written(
        commanded_incident, open_incident, people, published, at, link):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    event = timeline_event_append(incident=incident, kind="action", body="x", occurred_at=minutes(11))
    other = timeline_event_append(incident=open_incident(), kind="action", body="x", occurred_at=minutes(11))
    args = {"none": {}, "both": {"kept_by_statement": commitment.statement, "kept_by_event": event},
            "own statement": {"kept_by_statement": commitment.statement},
            "other incident": {"kept_by_event": other},
            "before the promise": {"kept_by_event": TimelineEvent.objects.get(pk=event.pk).__class__.objects.create(
                incident=incident, kind="action", body="y", occurred_at=minutes(5), recorded_at=minutes(12))}}[link]
    events = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput):
        commitment_keep(commitment=commitment, actor=people["responder"], **args)
    assert Commitment.objects.get(pk=commitment.pk).state == CommitmentState.OPEN
    assert TimelineEvent.objects.count() == events


def test_a_keep_that_lost_the_race_changes_nothing(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    stale = Commitment.objects.get(pk=commitment.pk)
    commitment_withdraw(commitment=commitment, actor=people["commander"], reason="监管部门要求暂缓公布")
    at(36)
    later, _ = published(incident, "调查进展。", at=35)
    with pytest.raises(ConcurrentUpdate):
        commitment_keep(commitment=stale, actor=people["responder"], kept_by_statement=later)
    assert Commitment.objects.get(pk=commitment.pk).state == CommitmentState.WITHDRAWN


def test_withdrawing_cancels_the_deadline_and_keeps_the_reason(commanded_incident, policy, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    commitment_withdraw(commitment=commitment, actor=people["commander"], reason="监管部门要求暂缓公布")
    _assert_withdrawn_and_silent(commitment, "监管部门要求暂缓公布", at)


def _assert_withdrawn_and_silent(commitment, reason, at):
    """Withdrawn for ``reason``, its deadline cancelled, and nobody paged for it later."""
    withdrawn = Commitment.objects.select_related("deadline").get(pk=commitment.pk)
    assert (withdrawn.state, withdrawn.withdrawn_reason) == (CommitmentState.WITHDRAWN, reason)
    assert withdrawn.deadline.state == DeadlineState.CANCELLED
    sweep_and_dispatch(at(90))
    assert not Page.objects.filter(deadline=withdrawn.deadline).exists()


def test_a_withdraw_that_lost_the_race_changes_nothing(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    stale = Commitment.objects.get(pk=commitment.pk)
    at(36)
    later, _ = published(incident, "调查进展。", at=35)
    commitment_keep(commitment=commitment, actor=people["responder"], kept_by_statement=later)
    with pytest.raises(ConcurrentUpdate):
        commitment_withdraw(commitment=stale, actor=people["commander"], reason="late")
    assert Commitment.objects.get(pk=commitment.pk).state == CommitmentState.KEPT


def test_a_withdraw_needs_a_reason(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    with pytest.raises(InvalidInput) as error:
        commitment_withdraw(commitment=commitment, actor=people["commander"], reason="  ")
    assert list(error.value.fields) == ["reason"]


def test_a_suggestion_cannot_be_kept(commanded_incident, people, published):
    statement, (suggestion,) = published(commanded_incident(), PROMISE_30, at=10)
    with pytest.raises(InvalidTransition):
        commitment_keep(commitment=suggestion, actor=people["responder"], kept_by_statement=statement)


def test_moving_an_open_promise_moves_its_deadline(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    edited = commitment_edit(commitment=commitment, actor=people["responder"], due_at=minutes(120))
    edited.deadline.refresh_from_db()
    assert edited.deadline.due_at == minutes(120)


def test_suggesting_again_keeps_what_the_text_still_says_and_drops_the_rest(commanded_incident, people, approved, at):
    from crisis.services.statements import statement_revise

    incident = commanded_incident()
    at(60)
    statement, (suggestion,) = approved(incident, PROMISE_24H)
    assert [row.pk for row in commitment_suggest(statement=statement, actor=people["responder"])] == [suggestion.pk]
    statement_revise(statement=statement, actor=people["responder"], body="We will publish the findings by Friday.")
    (row,) = commitment_suggest(statement=statement, actor=people["responder"])
    assert row.pk != suggestion.pk and row.due_phrase == "by Friday"


def test_retracting_the_statement_withdraws_its_open_promises_with_the_reason_and_pages_nobody(
        commanded_incident, policy, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)  # due at 40
    at(20)
    statement_retract(statement=commitment.statement, actor=people["commander"], reason="数据有误，稍后重发")
    said = TimelineEvent.objects.get(message__key="commitment.withdrawn_with_statement")
    assert "数据有误，稍后重发" in said.body and said.actor == people["commander"]
    assert AuditEntry.objects.filter(action="commitment.withdraw", object_id=str(commitment.pk)).exists()
    _assert_withdrawn_and_silent(commitment, "数据有误，稍后重发", at)


def test_retracting_leaves_a_promise_already_kept_as_kept(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    commitment = _open(incident, people, published, at)
    at(36)
    later, _ = published(incident, "调查进展。", at=35)
    commitment_keep(commitment=commitment, actor=people["responder"], kept_by_statement=later)
    statement_retract(statement=commitment.statement, actor=people["commander"], reason="措辞不当")
    assert Commitment.objects.get(pk=commitment.pk).state == CommitmentState.KEPT
