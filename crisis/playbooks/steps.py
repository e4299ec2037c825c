"""Reading an incident's playbook snapshot: which step a deadline belongs to, when it falls due, what meets it."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext_noop

from crisis.models import (
    OWNED_KINDS,
    PUBLIC_CHANNELS,
    Channel,
    Deadline,
    DeadlineKind,
    Incident,
    PlaybookStep,
    RecurUntil,
    SatisfiedBy,
    StatementKind,
)

Step = dict[str, Any]

SNAPSHOT_FIELDS = ("key", "name", "satisfied_by", "statement_kinds", "channel", "event_kind", "offset_seconds",
                   "severity_offsets", "recurrence_seconds", "recur_until", "recur_until_seconds", "responsible_role",
                   "warn_before_seconds")

# A surge is answered by speaking in public, whatever the form.
SURGE_STEP: Step = {
    "key": "surge", "name": gettext_noop("Respond to the sentiment surge"),
    "satisfied_by": SatisfiedBy.STATEMENT_PUBLISHED,
    "statement_kinds": [k for k in StatementKind.values if k != StatementKind.INTERNAL_BRIEFING],
    "channel": PUBLIC_CHANNELS, "event_kind": "", "recurrence_seconds": None, "responsible_role": "commander",
    "warn_before_seconds": 600,
}


def step_snapshot(step: PlaybookStep) -> Step:
    return {field: getattr(step, field) for field in SNAPSHOT_FIELDS}


def step_for(incident: Incident, deadline: Deadline) -> Step | None:
    if deadline.kind == DeadlineKind.ESCALATION or deadline.kind in OWNED_KINDS:
        # An escalation is met by an acknowledgement of its page, an owned deadline by its owner's own
        # record (crisis/services/owned_deadlines.py): never by a playbook action; neither rolls.
        return None
    if deadline.kind == DeadlineKind.SURGE:
        return SURGE_STEP
    for step in incident.playbook_snapshot:
        if step["key"] == deadline.step_key:
            return step
    return None


def instant_after(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta`` as elapsed time. Python adds a timedelta to an aware datetime on the wall
    clock of its zone, so "1 hour after 01:30 on the night New York falls back" would be two hours
    of real time; the public does not wait for the clocks to change."""
    return moment.astimezone(UTC) + delta


def step_offset(step: Step, severity: int) -> timedelta:
    seconds = step.get("severity_offsets", {}).get(str(severity), step["offset_seconds"])
    return timedelta(seconds=seconds)


def step_first_due(step: Step, incident: Incident) -> datetime:
    return instant_after(incident.first_public_signal_at, step_offset(step, incident.severity))


def step_recurrence(step: Step) -> timedelta | None:
    seconds = step.get("recurrence_seconds")
    return timedelta(seconds=seconds) if seconds else None


def step_recurrence_end(step: Step, incident: Incident) -> datetime | None:
    """The last moment an occurrence may fall due; None while it repeats "until resolved" and is open."""
    if step.get("recur_until") == RecurUntil.OFFSET:
        return instant_after(incident.first_public_signal_at, timedelta(seconds=step["recur_until_seconds"] or 0))
    return None


def step_next_due(step: Step, incident: Incident, anchor: datetime) -> datetime | None:
    """When the next occurrence of a recurring step falls due, or None when the recurrence is over."""
    recurrence = step_recurrence(step)
    if recurrence is None or not incident.is_open:
        return None  # once the incident is over, nothing more is owed on its clock
    due = instant_after(anchor, recurrence)
    end = step_recurrence_end(step, incident)
    if end is not None and due > end:
        return None
    return due


def step_window_start(step: Step, deadline: Deadline) -> datetime | None:
    """The earliest moment a fact can count for this deadline, or None when any earlier fact counts.

    An occurrence of "every N minutes" is met only by something done in its own N minutes, so the
    holding statement cannot pre-pay the public update due four hours later, and a surge is answered
    only by what was said after it was seen.
    """
    recurrence = step_recurrence(step)
    if recurrence is not None:
        return deadline.due_at - recurrence
    if deadline.kind == DeadlineKind.SURGE:
        since = (deadline.subject or {}).get("since")
        # A statement out at the very moment the surge was measured answers it too (the window is open
        # on the left, so start it a microsecond earlier).
        return (datetime.fromisoformat(since) if since else deadline.created_at) - timedelta(microseconds=1)
    return None


def step_accepts_statement(step: Step, *, kind: str, channel: str) -> bool:
    if step["satisfied_by"] != SatisfiedBy.STATEMENT_PUBLISHED:
        return False
    if step.get("statement_kinds") and kind not in step["statement_kinds"]:
        return False
    wanted = step.get("channel") or ""
    if wanted == PUBLIC_CHANNELS:
        return channel != Channel.INTERNAL
    return not wanted or wanted == channel
