"""Recurring steps roll forward: a step keeps a deadline for its current occurrence and its next one.

Occurrences that fell due while nobody could act on them (before the incident was logged, or while
the engine was down all night) are not a deadline and a page each: they become one
``PassedOccurrences`` record, and the next deadline is the first occurrence still ahead.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from crisis import clock
from crisis.models import Deadline, Incident, PassedOccurrences

from .steps import Step, instant_after, step_for, step_recurrence, step_recurrence_end


@dataclass(frozen=True)
class Roll:
    passed: PassedOccurrences | None
    upcoming: Deadline | None


def _count_until(first: datetime, every: timedelta, limit: datetime) -> int:
    """How many of first, first + every, ... fall at or before ``limit``."""
    if first > limit:
        return 0
    return int((limit - first) // every) + 1


def occurrences_after(*, deadline: Deadline, incident: Incident, anchor: datetime, now: datetime,
                      step: Step | None = None) -> Roll:
    """What follows ``deadline`` when its cadence restarts at ``anchor`` (its due time when it was
    missed, the moment it was met otherwise), seen at ``now``: the occurrences already past, as one
    record, and the first one still ahead, if the step still repeats."""
    step = step or step_for(incident, deadline)
    every = step_recurrence(step) if step else None
    if every is None:
        return Roll(None, None)
    first = instant_after(anchor, every)
    end = step_recurrence_end(step, incident)
    # An incident that is over owes nothing more, but what fell due before it ended still counts.
    over_at = None if incident.is_open else (incident.resolved_at or incident.closed_at or now)
    limit = min(t for t in (now, end, over_at) if t is not None)
    passed_count = _count_until(first, every, limit)
    passed = None
    if passed_count:
        last_passed = first + (passed_count - 1) * every
        passed = PassedOccurrences(
            incident=incident, kind=deadline.kind, step_key=deadline.step_key, name=deadline.name,
            first_occurrence=deadline.occurrence + 1, count=passed_count, first_due_at=first,
            recurrence_seconds=int(every.total_seconds()), recorded_at=clock.recorded_now(),
            is_before_logging=last_passed < incident.created_at,
        )
    upcoming = None
    due = first + passed_count * every
    if incident.is_open and (end is None or due <= end):
        upcoming = Deadline(incident=incident, kind=deadline.kind, step_key=deadline.step_key, name=deadline.name,
                            occurrence=deadline.occurrence + 1 + passed_count,
                            responsible_role=deadline.responsible_role, due_at=due)
    return Roll(passed, upcoming)


def deadline_next_occurrence(*, deadline: Deadline, incident: Incident, anchor: datetime,
                             now: datetime) -> Deadline | None:
    """Roll on from ``deadline`` and write what it gives; returns the next deadline, if any."""
    rolls = [occurrences_after(deadline=deadline, incident=incident, anchor=anchor, now=now)]
    created = rolls_write(rolls=rolls)
    return created[0] if created else None


def deadlines_roll_after_breach(*, deadlines: list[Deadline], incidents: dict[int, Incident], now: datetime) -> None:
    """A missed occurrence keeps the cadence: the next one is due one interval after the missed due time."""
    rolls_write(rolls=[occurrences_after(deadline=d, incident=incidents[d.incident_id], anchor=d.due_at, now=now)
                       for d in deadlines])


def rolls_write(*, rolls: list[Roll]) -> list[Deadline]:
    passed = [roll.passed for roll in rolls if roll.passed is not None]
    if passed:
        # ignore_conflicts: two paths rolling the same occurrence at once keep the first record.
        PassedOccurrences.objects.bulk_create(passed, ignore_conflicts=True)
    return deadlines_create(deadlines=[roll.upcoming for roll in rolls if roll.upcoming is not None])


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

