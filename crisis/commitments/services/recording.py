"""What every change to a promise does: compare-and-set on its state and version, one timeline event and
one audit row."""

from django.db.models import F
from django.utils.translation import gettext as _

from crisis.models import EventKind
from crisis.selectors import local_time
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate, InvalidTransition
from crisis.services.timeline import timeline_event_append
from crisis.system_lines import Message

from .. import lines  # noqa: F401  (registers the lines used here)
from ..models import Commitment, CommitmentState


def commitment_lock(commitment: Commitment, *, expected_version: int | None, allowed: tuple[str, ...]) -> Commitment:
    """The row as it is now, locked; ConcurrentUpdate if someone changed it since the caller read it."""
    fresh = Commitment.objects.select_for_update(of=("self",)).select_related("incident", "statement").get(
        pk=commitment.pk)
    wanted = commitment.version if expected_version is None else expected_version
    if fresh.version != wanted:
        raise ConcurrentUpdate(_("Somebody else changed this promise first; reload and try again."),
                               field="version")
    if fresh.state not in allowed:
        raise InvalidTransition(_("This promise is %(state)s; that cannot be done to it now.")
                                % {"state": CommitmentState(fresh.state).label.lower()}, field="state")
    return fresh


def commitment_set(commitment: Commitment, **changes) -> None:
    """Compare-and-set on (state, version): a concurrent confirm, keep or withdraw makes this lose."""
    updated = Commitment.objects.filter(pk=commitment.pk, state=commitment.state, version=commitment.version).update(
        version=F("version") + 1, **changes)
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this promise first; reload and try again."),
                               field="version")
    commitment.version += 1
    for field, value in changes.items():
        setattr(commitment, field, value)


def commitment_log(commitment: Commitment, *, actor, said: Message, action: str, occurred_at=None,
                   **changes) -> None:
    incident = commitment.incident
    metadata = {"commitment_id": commitment.pk, "statement_id": commitment.statement_id,
                "state": commitment.state, **changes}
    timeline_event_append(incident=incident, kind=EventKind.STATEMENT, actor=actor, line=said,
                          occurred_at=occurred_at, metadata=metadata)
    audit_record(organization=incident.organization, actor=actor, action=f"commitment.{action}", obj=commitment,
                 changes=metadata)


def due_label(commitment: Commitment) -> str:
    return local_time(commitment.due_at, commitment.incident.time_zone).strftime("%m-%d %H:%M")
