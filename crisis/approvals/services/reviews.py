"""A statement's walk through its approval chain: one step at a time, each step an owned deadline that pages
its approver, then the deputies, then the commander when it waits too long.

crisis.services.statements calls these from submit, approve and revise, inside their transactions; the
statement's own compare-and-set comes first there, so two approvers racing for one step meet on that row.
"""

from datetime import datetime, timedelta

from django.db.models import F
from django.utils.translation import gettext as _

from crisis.models import Deadline, DeadlineKind, DeadlineState, Severity, Statement
from crisis.services.errors import ConcurrentUpdate, PermissionDenied
from crisis.services.owned_deadlines import (
    owned_deadline_cancel,
    owned_deadline_create,
    owned_deadline_settle,
    owner_chain,
)

from ..models import ReviewState, StatementReview, StatementReviewStep
from .chains import approval_chain_for

RECORD_TYPE = "statement_review_step"
DEFAULT_LIMIT = timedelta(minutes=15)
# A SEV1 statement cannot wait a quarter of an hour per signature: the golden hours are counted in minutes.
SEV1_LIMIT = timedelta(minutes=5)


def step_limit(*, limit_minutes: int | None, severity: int) -> timedelta:
    if limit_minutes:
        return timedelta(minutes=limit_minutes)
    return SEV1_LIMIT if severity == Severity.SEV1 else DEFAULT_LIMIT


def review_active(*, statement: Statement) -> StatementReview | None:
    return StatementReview.objects.filter(statement=statement, state=ReviewState.ACTIVE).first()


def review_start(*, statement: Statement, actor, submitted_at: datetime, recorded_at: datetime,
                 writer_ids: set[int]) -> StatementReview | None:
    """Snapshot the statement kind's chain and start its first step; None when the kind has no chain."""
    chain = approval_chain_for(organization=statement.incident.organization, kind=statement.kind)
    if chain is None:
        return None
    review = StatementReview.objects.create(
        statement=statement, statement_version=statement.current_version, chain_version=chain.version,
        step_count=len(chain.steps),
        submitted_at=submitted_at, submitted_recorded_at=recorded_at, submitted_by=actor)
    severity = statement.incident.severity
    StatementReviewStep.objects.bulk_create([
        StatementReviewStep(
            review=review, position=position, name=step["name"], approver_ids=step["approvers"],
            deputy_ids=step["deputies"],
            limit_seconds=int(step_limit(limit_minutes=step["limit_minutes"], severity=severity).total_seconds()))
        for position, step in enumerate(chain.steps, start=1)
    ])
    _step_start(review.steps.get(position=1), statement=statement, started_at=submitted_at, writer_ids=writer_ids)
    return review


def _step_start(step: StatementReviewStep, *, statement: Statement, started_at: datetime,
                writer_ids: set[int]) -> None:
    # Nobody is paged to approve their own words: they could not, and the minutes would be lost on them.
    approvers = [a for a in step.approver_ids if a not in writer_ids]
    deputies = [d for d in step.deputy_ids if d not in writer_ids]
    people = approvers + deputies
    owner = people[0] if people else None
    step.started_at = started_at
    step.deadline = owned_deadline_create(
        incident=statement.incident, kind=DeadlineKind.APPROVAL, record_type=RECORD_TYPE, record_id=step.pk,
        name=_step_deadline_name(statement, step), due_at=step.due_at, owner=owner,
        chain=owner_chain(owner_id=owner, deputy_ids=people[1:]))
    StatementReviewStep.objects.filter(pk=step.pk).update(started_at=started_at, deadline=step.deadline)


def _step_deadline_name(statement: Statement, step: StatementReviewStep) -> str:
    # Stored once and shown as it is (what people wrote: the title and the step's name).
    return _("Approve %(s)s: %(step)s") % {"s": statement, "step": step.name}


def step_may_approve(step: StatementReviewStep, *, user_id: int, commander_id: int | None) -> bool:
    # The commander is the chain's last resort when the approver and the deputies cannot be reached.
    return user_id in step.approver_ids or user_id in step.deputy_ids or user_id == commander_id


def review_step_for(*, review: StatementReview, statement: Statement, actor) -> StatementReviewStep:
    """The step that waits, if ``actor`` may approve it; checked before anything is written."""
    step = review.steps.get(position=review.current_position)
    if not step_may_approve(step, user_id=actor.pk, commander_id=statement.incident.commander_id):
        raise PermissionDenied(_("Step %(n)d (%(step)s) waits for its approvers or their deputies, not you.")
                               % {"n": step.position, "step": step.name}, field="approver")
    if review.steps.filter(approved_by=actor).exists():
        raise PermissionDenied(_("You approved an earlier step of this version; one person approves one step."),
                               field="approver")
    return step


def review_approve_step(*, review: StatementReview, step: StatementReviewStep, statement: Statement, actor,
                        note: str, now: datetime, writer_ids: set[int]) -> StatementReviewStep | None:
    """Record ``actor``'s approval of ``step`` (from review_step_for) and start the next one, which is returned
    (None when the chain is done). The caller has already won the statement's compare-and-set."""
    if StatementReviewStep.objects.filter(pk=step.pk, approved_by__isnull=True).update(
            approved_by=actor, approved_at=now, note=note) != 1:
        raise ConcurrentUpdate(_("Somebody else approved this step first; reload and try again."))
    is_last = step.position == review.step_count
    changes = {"state": ReviewState.APPROVED} if is_last else {"current_position": step.position + 1}
    if StatementReview.objects.filter(pk=review.pk, version=review.version, current_position=step.position).update(
            version=F("version") + 1, **changes) != 1:
        raise ConcurrentUpdate(_("Somebody else approved this step first; reload and try again."))
    _deadline_settle(step, actor=actor, now=now)
    if is_last:
        return None
    following = review.steps.get(position=step.position + 1)
    _step_start(following, statement=statement, started_at=now, writer_ids=writer_ids)
    return following


def _deadline_settle(step: StatementReviewStep, *, actor, now: datetime) -> None:
    if step.deadline_id is None:
        return
    deadline = Deadline.objects.get(pk=step.deadline_id)
    # Paged already and not yet settled: approving now is meeting it late, which also resolves the page.
    if deadline.state == DeadlineState.PENDING or (deadline.state == DeadlineState.BREACHED and not deadline.met_at):
        owned_deadline_settle(deadline=deadline, happened_at=now, actor=actor)


def review_cancel(*, statement: Statement, reason: str) -> StatementReview | None:
    """New words need new signatures: the review under way stops and its waiting step stops paging."""
    review = review_active(statement=statement)
    if review is None:
        return None
    if StatementReview.objects.filter(pk=review.pk, version=review.version, state=ReviewState.ACTIVE).update(
            state=ReviewState.CANCELLED, version=F("version") + 1) != 1:
        raise ConcurrentUpdate(_("Somebody else changed this statement first; reload and try again."))
    for deadline in Deadline.objects.filter(pk__in=review.steps.exclude(deadline=None).values("deadline")):
        owned_deadline_cancel(deadline=deadline, reason=reason)
    return review
