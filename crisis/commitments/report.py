"""The post-mortem's "Promises kept" table: each promise made in public and what became of it."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from crisis.models import Incident

from .models import CommitmentState
from .selectors import commitments_tracked

OUTCOMES = {
    "kept": _("Kept on time"),
    "kept_late": _("Kept late"),
    "broken": _("Broken"),
    "open": _("Not yet due"),
    "withdrawn": _("Withdrawn"),
}


def _outcome(commitment, now: datetime) -> tuple[str, int | None]:
    if commitment.state == CommitmentState.WITHDRAWN:
        return "withdrawn", None
    if commitment.state == CommitmentState.KEPT:
        late = (commitment.kept_at - commitment.due_at).total_seconds() / 60
        return ("kept_late", int(late + 0.5)) if late > 0 else ("kept", 0)
    return ("broken" if commitment.due_at <= now else "open"), None


def promises_for_report(*, incident: Incident, now: datetime) -> list[dict]:
    """Every promise that was tracked (suggestions nobody confirmed were never promises), earliest due first."""
    rows = []
    for commitment in commitments_tracked(incident=incident):
        outcome, late = _outcome(commitment, now)
        owner = commitment.owner
        rows.append({
            "id": commitment.pk, "text": commitment.text, "statement_id": commitment.statement_id,
            "made_at": commitment.statement.published_at, "due_at": commitment.due_at,
            "audience": commitment.audience, "audience_label": commitment.get_audience_display(),
            "audience_name": commitment.audience_name,
            "owner": (owner.get_full_name() or owner.get_username()) if owner else None,
            "outcome": outcome, "outcome_label": OUTCOMES[outcome], "kept_at": commitment.kept_at,
            "late_minutes": late, "withdrawn_reason": commitment.withdrawn_reason,
        })
    return rows
