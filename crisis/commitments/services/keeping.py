"""A promise is kept by a later published statement or timeline event the owner links to it, or withdrawn."""

from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Deadline, DeadlineState, Role, Statement, StatementStatus, TimelineEvent
from crisis.selectors import local_time
from crisis.services.access import membership_require
from crisis.services.owned_deadlines import owned_deadline_cancel, owned_deadline_settle
from crisis.services.validation import FieldErrors, check_text
from crisis.system_lines import line

from ..models import Commitment, CommitmentState
from .recording import commitment_lock, commitment_log, commitment_set

S = CommitmentState
REASON_MAX = 2000


def _kept_at(commitment: Commitment, *, kept_by_statement, kept_by_event):
    """When the fact that keeps the promise happened; InvalidInput naming the field if it cannot keep it."""
    errors = FieldErrors()
    if (kept_by_statement is None) == (kept_by_event is None):
        errors.add("kept_by", _("Link exactly one published statement or one timeline event."))
        errors.raise_if_any()
    if kept_by_statement is not None:
        field, happened_at = "kept_by_statement", kept_by_statement.published_at
        if (kept_by_statement.incident_id != commitment.incident_id
                or kept_by_statement.status != StatementStatus.PUBLISHED
                or kept_by_statement.pk == commitment.statement_id):
            errors.add(field, _("Link a later statement of this incident that has been published."))
    else:
        field, happened_at = "kept_by_event", kept_by_event.occurred_at
        if kept_by_event.incident_id != commitment.incident_id:
            errors.add(field, _("Link an event of this incident's timeline."))
    if field not in errors.fields and happened_at < commitment.statement.published_at:
        errors.add(field, _("This happened before the promise was made."))
    errors.raise_if_any()
    return happened_at


@transaction.atomic
def commitment_keep(*, commitment: Commitment, actor, kept_by_statement: Statement | None = None,
                    kept_by_event: TimelineEvent | None = None, expected_version: int | None = None) -> Commitment:
    """The promise was kept when that statement went out or that event happened (which may be earlier than
    now): its deadline is met on time or late at that time, and a breach it shows was false is retracted."""
    membership_require(user=actor, organization=commitment.incident.organization, role=Role.RESPONDER)
    fresh = commitment_lock(commitment, expected_version=expected_version, allowed=(S.OPEN,))
    kept_at = _kept_at(fresh, kept_by_statement=kept_by_statement, kept_by_event=kept_by_event)
    commitment_set(fresh, state=S.KEPT, kept_at=kept_at, kept_by_statement=kept_by_statement,
                   kept_by_event=kept_by_event)
    deadline = Deadline.objects.filter(pk=fresh.deadline_id).first()
    # A deadline the engine closed with the incident has nobody left to page; the promise's record still says
    # when it was kept.
    if deadline is not None and deadline.state in (DeadlineState.PENDING, DeadlineState.BREACHED):
        owned_deadline_settle(deadline=deadline, happened_at=kept_at, actor=actor, event=kept_by_event)
    at = local_time(kept_at, fresh.incident.time_zone).strftime("%m-%d %H:%M")
    commitment_log(fresh, actor=actor, action="keep", occurred_at=kept_at,
                   said=line("commitment.kept", at=at, text=fresh.text), kept_at=kept_at.isoformat(),
                   kept_by_statement_id=getattr(kept_by_statement, "pk", None),
                   kept_by_event_id=getattr(kept_by_event, "pk", None))
    return fresh


@transaction.atomic
def commitment_withdraw(*, commitment: Commitment, actor, reason: str,
                        expected_version: int | None = None) -> Commitment:
    """Nothing is owed any more (the regulator asked us to wait, plans changed): say why; the deadline is
    cancelled, a page already sent for it resolved."""
    membership_require(user=actor, organization=commitment.incident.organization, role=Role.COMMANDER)
    errors = FieldErrors()
    check_text(errors, "reason", reason, max_length=REASON_MAX)
    errors.raise_if_any()
    fresh = commitment_lock(commitment, expected_version=expected_version, allowed=(S.OPEN,))
    _withdraw(fresh, actor=actor, reason=reason.strip(), key="commitment.withdrawn")
    return fresh


def commitments_withdraw_retracted(*, statement: Statement, actor, reason: str, **_kwargs) -> None:
    """``statement_retracted`` receiver, inside the retracting transaction: the brand took the words back, so
    the promises still open in them are owed no more and page nobody; the retraction's reason is theirs. A
    promise already kept or withdrawn stays as it is."""
    still_open = (Commitment.objects.select_for_update(of=("self",)).select_related("incident", "statement")
                  .filter(statement=statement, state=S.OPEN).order_by("id"))
    for commitment in still_open:
        _withdraw(commitment, actor=actor, reason=reason.strip(), key="commitment.withdrawn_with_statement")


def _withdraw(commitment: Commitment, *, actor, reason: str, key: str) -> None:
    commitment_set(commitment, state=S.WITHDRAWN, withdrawn_at=clock.now(), withdrawn_reason=reason)
    deadline = Deadline.objects.filter(pk=commitment.deadline_id).first()
    if deadline is not None:
        owned_deadline_cancel(deadline=deadline, reason=reason)
    commitment_log(commitment, actor=actor, action="withdraw", said=line(key, text=commitment.text, r=reason),
                   reason=reason)
