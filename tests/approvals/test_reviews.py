"""A statement walks its kind's approval chain one step at a time; nobody signs their own words or two steps."""

from datetime import timedelta

import pytest

from crisis.approvals.models import ReviewState, StatementReview
from crisis.approvals.services.chains import approval_chain_set
from crisis.models import Deadline, DeadlineKind, DeadlineState, StatementApproval, StatementStatus
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from crisis.services.statements import statement_approve, statement_publish, statement_revise
from tests.deadline_helpers import T0

from .conftest import HOLDING

pytestmark = pytest.mark.django_db

St = StatementStatus


def step_deadlines(statement):
    return Deadline.objects.filter(incident=statement.incident, kind=DeadlineKind.APPROVAL).order_by("id")


def test_it_approves_a_chain_of_three_steps_in_order(incident, holding_chain, submitted, signers, people, at):
    holding_chain()
    statement = submitted(incident)
    review = StatementReview.objects.get(statement=statement)
    assert (review.state, review.current_position, review.step_count) == (ReviewState.ACTIVE, 1, 3)
    for minute, who in ((7, "legal"), (9, "pr_lead"), (12, "executive")):
        at(minute)
        statement_approve(statement=statement, actor=signers[who])
    review.refresh_from_db()
    steps = list(review.steps.order_by("position"))
    assert [s.approved_by for s in steps] == [signers["legal"], signers["pr_lead"], signers["executive"]]
    assert [s.approved_at for s in steps] == [T0 + timedelta(minutes=m) for m in (7, 9, 12)]
    assert [s.started_at for s in steps] == [T0 + timedelta(minutes=m) for m in (5, 7, 9)]
    assert (statement.status, review.state) == (St.APPROVED, ReviewState.APPROVED)
    assert [d.state for d in step_deadlines(statement)] == [DeadlineState.MET] * 3
    assert StatementApproval.objects.filter(version=statement.current_version).count() == 3
    statement_publish(statement=statement, actor=people["commander"])


def test_it_is_not_approved_until_the_last_step_approves(incident, holding_chain, submitted, signers, people):
    holding_chain()
    statement = submitted(incident)
    statement_approve(statement=statement, actor=signers["legal"])
    statement_approve(statement=statement, actor=signers["pr_deputy"])  # a deputy signs for the PR lead
    statement.refresh_from_db()
    assert statement.status == St.IN_REVIEW
    assert StatementReview.objects.get(statement=statement).current_position == 3
    assert incident.events.filter(metadata__step=2, body__contains="Step 2 of 3 (PR lead) approved").exists()
    with pytest.raises(Exception):  # noqa: B017  (an approved statement only; the service says which)
        statement_publish(statement=statement, actor=people["commander"])


def test_it_lets_only_the_step_s_people_or_the_commander_approve_it(incident, holding_chain, submitted, signers,
                                                                     people):
    holding_chain()
    statement = submitted(incident)
    with pytest.raises(PermissionDenied) as refused:
        statement_approve(statement=statement, actor=signers["executive"])
    assert "approver" in refused.value.fields
    statement_approve(statement=statement, actor=people["commander"])  # the chain's last resort
    assert StatementReview.objects.get(statement=statement).current_position == 2


def test_the_author_cannot_approve_any_step(incident, holding_chain, submitted, signers):
    holding_chain()
    statement = submitted(incident, author=signers["pr_lead"])
    statement_approve(statement=statement, actor=signers["legal"])
    with pytest.raises(PermissionDenied):
        statement_approve(statement=statement, actor=signers["pr_lead"])
    statement.refresh_from_db()
    assert StatementReview.objects.get(statement=statement).current_position == 2
    # The step waits for the deputy, who is paged first: the author could not sign it anyway.
    assert step_deadlines(statement).last().owner == signers["pr_deputy"]


def test_text_re_saved_unchanged_by_someone_else_is_still_the_author_s(incident, holding_chain, submitted, signers,
                                                                        people):
    holding_chain()
    statement = submitted(incident, author=signers["legal"])
    # Someone else re-saves the legal counsel's words with a line break changed: a new version, same words.
    statement_revise(statement=statement, actor=people["responder"], body=HOLDING.replace("，", "，\n", 1))
    from crisis.services.statements import statement_submit_for_review

    statement_submit_for_review(statement=statement, actor=people["responder"])
    with pytest.raises(PermissionDenied):
        statement_approve(statement=statement, actor=signers["legal"])
    statement_approve(statement=statement, actor=signers["legal_deputy"])


def test_the_same_person_cannot_approve_two_steps(incident, org, submitted, signers, people):
    approval_chain_set(organization=org, actor=people["admin"], kind="holding", expected_version=0, steps=[
        {"name": "Legal", "approvers": [signers["legal"].pk], "deputies": [signers["pr_lead"].pk]},
        {"name": "PR lead", "approvers": [signers["pr_lead"].pk]},
    ])
    statement = submitted(incident)
    statement_approve(statement=statement, actor=signers["pr_lead"])  # as legal's deputy
    with pytest.raises(PermissionDenied) as refused:
        statement_approve(statement=statement, actor=signers["pr_lead"])
    assert "one person approves one step" in refused.value.message
    statement.refresh_from_db()
    assert statement.status == St.IN_REVIEW


def test_a_new_version_restarts_the_chain(incident, holding_chain, submitted, signers, people, at):
    holding_chain()
    statement = submitted(incident)
    statement_approve(statement=statement, actor=signers["legal"])
    at(8)
    statement_revise(statement=statement, actor=people["responder"], body=HOLDING + "（更新）")
    old = StatementReview.objects.get(statement=statement)
    assert old.state == ReviewState.CANCELLED
    assert step_deadlines(statement).last().state == DeadlineState.CANCELLED
    from crisis.services.statements import statement_submit_for_review

    statement_submit_for_review(statement=statement, actor=people["responder"])
    new = StatementReview.objects.get(statement=statement, state=ReviewState.ACTIVE)
    assert new.current_position == 1 and new.statement_version == statement.current_version
    statement_approve(statement=statement, actor=signers["legal"])  # legal signs the new words again
    new.refresh_from_db()
    assert new.current_position == 2


def test_the_chain_is_snapshotted_when_submitted(incident, org, holding_chain, submitted, signers, people):
    chain = holding_chain()
    statement = submitted(incident)
    approval_chain_set(organization=org, actor=people["admin"], kind="holding", expected_version=chain.version,
                       steps=[{"name": "Only the CEO", "approvers": [signers["executive"].pk]}])
    with pytest.raises(PermissionDenied):
        statement_approve(statement=statement, actor=signers["executive"])
    statement_approve(statement=statement, actor=signers["legal"])


def test_a_kind_with_no_chain_needs_one_approval_by_any_approver(incident, holding_chain, submitted, people):
    holding_chain()
    statement = submitted(incident, kind="apology")
    statement_approve(statement=statement, actor=people["approver"])
    assert statement.status == St.APPROVED
    assert not StatementReview.objects.exists()


def test_an_approval_that_lost_the_race_changes_nothing(incident, holding_chain, submitted, signers):
    holding_chain()
    statement = submitted(incident)
    stale = type(statement).objects.get(pk=statement.pk)
    statement_approve(statement=statement, actor=signers["legal"])
    with pytest.raises(ConcurrentUpdate):
        statement_approve(statement=stale, actor=signers["legal_deputy"])
    review = StatementReview.objects.get(statement=statement)
    assert review.current_position == 2
    assert review.steps.get(position=1).approved_by == signers["legal"]


def test_a_statement_submitted_earlier_than_it_was_logged_starts_its_clock_then(incident, holding_chain, submitted,
                                                                                 signers, at):
    holding_chain()
    at(40)
    statement = submitted(incident, submitted_at=T0 + timedelta(minutes=10))
    (deadline,) = step_deadlines(statement)
    assert deadline.due_at == T0 + timedelta(minutes=25)
    assert deadline.state == DeadlineState.BREACHED  # overdue on arrival: paged at once, not in 15 minutes
    statement_approve(statement=statement, actor=signers["legal"])
    deadline.refresh_from_db()
    assert deadline.met_at == T0 + timedelta(minutes=40)
    second = step_deadlines(statement).last()
    assert (second.due_at, second.state) == (T0 + timedelta(minutes=55), DeadlineState.PENDING)


def test_a_submission_time_in_the_future_is_refused_and_nothing_written(incident, holding_chain, submitted, at):
    holding_chain()
    with pytest.raises(InvalidInput) as refused:
        submitted(incident, submitted_at=T0 + timedelta(hours=2))
    assert "submitted_at" in refused.value.fields
    assert not StatementReview.objects.exists()


def test_a_sev1_step_waits_five_minutes_by_default_and_a_set_limit_otherwise(incident_at_t0, people, holding_chain,
                                                                              submitted):
    holding_chain(pr_lead=30)
    sev1 = incident_at_t0(severity=1, commander=people["commander"])
    statement = submitted(sev1)
    steps = {s.position: s.limit_seconds for s in StatementReview.objects.get(statement=statement).steps.all()}
    assert steps == {1: 300, 2: 1800, 3: 300}
    assert step_deadlines(statement).get().due_at == T0 + timedelta(minutes=10)


def test_a_sev2_step_waits_fifteen_minutes_by_default(incident, holding_chain, submitted):
    holding_chain()
    statement = submitted(incident)
    assert step_deadlines(statement).get().due_at == T0 + timedelta(minutes=20)
