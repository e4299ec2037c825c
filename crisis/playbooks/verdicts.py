"""How each deadline came out, read from the record: one computation for the room, the API and the report.

Judged on when things happened (``met_at``), not when they were entered (``met_recorded_at``); the
difference is shown as "entered N min later". Occurrences of a repeating step that went by while
nobody could act (``PassedOccurrences``) are counted against the facts entered since, on the
step's grid: occurrence k of a record is *made* if a fact happened in (due_k - every, due_k].
"""

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from crisis.durations import minutes_between
from crisis.models import (
    Breach,
    Deadline,
    DeadlineState,
    Incident,
    PassedOccurrences,
    SatisfiedBy,
    SentimentCheckpoint,
    Statement,
    StatementStatus,
    TimelineEvent,
)

from .steps import Step, step_accepts_statement, step_for

MET, MET_LATE, MISSED, PENDING, WAIVED, CANCELLED = "met", "met_late", "missed", "pending", "waived", "cancelled"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # met (on time), met_late, missed, pending, waived, cancelled
    # Minutes after the due time it was done (met late); None otherwise.
    late_minutes: float | None
    # Minutes between when it was done and when that was entered; None if not done.
    entered_minutes_later: float | None
    # The alarm rang, and a fact entered later withdrew it.
    was_retracted: bool


def deadline_verdict(deadline: Deadline, *, retracted: bool = False) -> Verdict:
    entered = minutes_between(deadline.met_at, deadline.met_recorded_at)
    if deadline.state == DeadlineState.MET:
        return Verdict(MET, None, entered, retracted)
    if deadline.state == DeadlineState.BREACHED:
        if deadline.met_at is not None:
            return Verdict(MET_LATE, minutes_between(deadline.due_at, deadline.met_at), entered, False)
        return Verdict(MISSED, None, None, False)
    if deadline.state == DeadlineState.CANCELLED:
        # Retracted here: flagged when logged late, then found due only after the incident was over.
        return Verdict(CANCELLED, None, None, retracted)
    outcome = WAIVED if deadline.state == DeadlineState.WAIVED else PENDING
    return Verdict(outcome, None, None, False)


def deadlines_retracted(*, deadlines: Iterable[Deadline]) -> set[int]:
    """Ids of the deadlines among these whose breach was retracted (one query)."""
    ids = [d.pk for d in deadlines
           if d.state in (DeadlineState.MET, DeadlineState.CANCELLED) and d.breached_at is not None]
    if not ids:
        return set()
    return set(Breach.objects.filter(deadline_id__in=ids, retracted_at__isnull=False)
               .values_list("deadline_id", flat=True))


@dataclass(frozen=True)
class PassedCount:
    record: PassedOccurrences
    made: int
    # Per occurrence, in due order (record.due_times()): whether a fact covered it. The post-mortem
    # reads it to leave out what fell due after a resolution entered later, and to time each miss.
    covered: tuple[bool, ...] = ()

    @property
    def missed(self) -> int:
        return self.record.count - self.made


def step_fact_times(*, incident: Incident, step: Step) -> list[datetime]:
    """When the facts that satisfy ``step`` happened, in order."""
    kind = step["satisfied_by"]
    if kind == SatisfiedBy.STATEMENT_PUBLISHED:
        rows = (Statement.objects.filter(incident=incident, published_at__isnull=False,
                                         status__in=[StatementStatus.PUBLISHED, StatementStatus.RETRACTED])
                .values_list("kind", "channel", "published_at"))
        times = [at for k, c, at in rows if step_accepts_statement(step, kind=k, channel=c)]
    elif kind == SatisfiedBy.CHECKPOINT_RECORDED:
        corrected = SentimentCheckpoint.objects.filter(incident=incident, corrects__isnull=False).values("corrects")
        times = list(SentimentCheckpoint.objects.filter(incident=incident).exclude(pk__in=corrected)
                     .values_list("measured_at", flat=True))
    elif kind == SatisfiedBy.ACKNOWLEDGED:
        times = [incident.acknowledged_at] if incident.acknowledged_at else []
    elif kind == SatisfiedBy.EVENT_KIND:
        times = list(TimelineEvent.objects.filter(incident=incident, kind=step.get("event_kind"))
                     .values_list("occurred_at", flat=True))
    else:
        times = []
    return sorted(times)


def passed_counts(*, incident: Incident) -> list[PassedCount]:
    """Each record of passed occurrences with how many of them facts entered since have covered."""
    records = list(PassedOccurrences.objects.filter(incident=incident).order_by("first_due_at", "id"))
    facts: dict[str, list[datetime]] = {}
    counts = []
    for record in records:
        step = step_for(incident, Deadline(kind=record.kind, step_key=record.step_key))
        if step is None:
            counts.append(PassedCount(record, 0))
            continue
        if record.step_key not in facts:
            facts[record.step_key] = step_fact_times(incident=incident, step=step)
        covered = _covered(record, facts[record.step_key])
        counts.append(PassedCount(record, sum(covered), covered))
    return counts


def _covered(record: PassedOccurrences, times: list[datetime]) -> tuple[bool, ...]:
    every = timedelta(seconds=record.recurrence_seconds)
    covered = []
    for due in record.due_times():
        # A fact in (due - every, due]: bisect finds the first fact after the window opens.
        index = bisect.bisect_right(times, due - every)
        covered.append(index < len(times) and times[index] <= due)
    return tuple(covered)


def open_alarm_filter() -> Q:
    """Breaches that still ask something of somebody."""
    return Q(retracted_at__isnull=True, deadline__met_at__isnull=True)
