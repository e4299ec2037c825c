"""Recurring steps roll: the next occurrence exists only once the current one is met or missed."""

from datetime import datetime

from crisis.models import Deadline, Incident

from .steps import step_for, step_next_due


def deadline_next_occurrence(*, deadline: Deadline, incident: Incident, anchor: datetime) -> Deadline | None:
    step = step_for(incident, deadline)
    if step is None:
        return None
    due = step_next_due(step, incident, anchor)
    if due is None:
        return None
    return Deadline(incident=incident, kind=deadline.kind, step_key=deadline.step_key, name=deadline.name,
                    occurrence=deadline.occurrence + 1, responsible_role=deadline.responsible_role, due_at=due)


def deadlines_roll_after_breach(*, deadlines: list[Deadline], incidents: dict[int, Incident], now: datetime) -> None:
    """A missed occurrence keeps the cadence: the next one is due one interval after the missed due time."""
    upcoming = [
        nxt for d in deadlines
        if (nxt := deadline_next_occurrence(deadline=d, incident=incidents[d.incident_id], anchor=d.due_at))
    ]
    deadlines_create(deadlines=upcoming)


def deadlines_create(*, deadlines: list[Deadline]) -> list[Deadline]:
    if not deadlines:
        return []
    # ignore_conflicts: a duplicated roll (two paths racing to create occurrence n+1) keeps the first one.
    Deadline.objects.bulk_create(deadlines, ignore_conflicts=True)
    created = list(Deadline.objects.filter(
        incident_id__in={d.incident_id for d in deadlines},
        step_key__in={d.step_key for d in deadlines},
        occurrence__in={d.occurrence for d in deadlines},
        state="pending",
    ))
    from crisis.timers.scheduling import deadlines_schedule

    deadlines_schedule(deadlines=created)
    return created
