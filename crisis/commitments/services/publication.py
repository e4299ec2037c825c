"""A confirmed promise becomes a deadline when its statement goes out, its time read against when it did."""

from datetime import timedelta

from crisis.models import DeadlineKind, Statement
from crisis.services.owned_deadlines import owned_deadline_create, owner_chain
from crisis.system_lines import line

from ..extraction import due_resolve
from ..models import Commitment, CommitmentState
from .recording import commitment_log, commitment_set, due_label


def commitments_track_published(*, statement: Statement, actor, **_kwargs) -> None:
    """``statement_published`` receiver, inside the publishing transaction: what it writes commits with it."""
    confirmed = (Commitment.objects.select_for_update(of=("self",)).select_related("incident", "statement")
                 .filter(statement=statement, state=CommitmentState.CONFIRMED).order_by("id"))
    for commitment in confirmed:
        commitment.statement = statement
        commitment_track(commitment, actor=actor)


def commitment_track(commitment: Commitment, *, actor) -> Commitment:
    """Make the deadline of a confirmed promise whose statement is out. "Within 24 hours" written in a draft
    at 09:00 and published (or recorded as published) at 08:00 runs from 08:00: the time is read again from
    the words, unless a person set it. Already past: breached on arrival, and its owner paged."""
    statement = commitment.statement
    due_at = commitment.due_at
    if not commitment.is_due_set_by_hand and commitment.due_phrase:
        resolved = due_resolve(sentence=commitment.text, published_at=statement.published_at,
                               zone=commitment.incident.time_zone)
        if resolved is not None:
            due_at = resolved[1]
    commitment_set(commitment, state=CommitmentState.OPEN, due_at=due_at)
    deadline = owned_deadline_create(
        incident=commitment.incident, kind=DeadlineKind.COMMITMENT, record_type="commitment",
        record_id=commitment.pk, name=commitment.text, due_at=due_at, owner=commitment.owner_id,
        chain=owner_chain(owner_id=commitment.owner_id),
        warn_before=timedelta(minutes=commitment.warn_before_minutes) if commitment.warn_before_minutes else None)
    Commitment.objects.filter(pk=commitment.pk).update(deadline=deadline)
    commitment.deadline = deadline
    commitment_log(commitment, actor=actor, action="track", occurred_at=statement.published_at,
                   said=line("commitment.tracked", text=commitment.text, due=due_label(commitment)),
                   due_at=due_at.isoformat(), deadline_id=deadline.pk)
    return commitment
