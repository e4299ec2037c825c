"""Satisfying events mark the matching deadlines met, in the same transaction as the event itself.

A deadline is met in time only if the satisfying change commits while it is still pending and
not yet due (read after taking the row lock, so the sweeper and we agree on the order). Late
satisfaction is still recorded (``met_at`` on a breached deadline), so the post-mortem can say
by how much it slipped.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import (
    Deadline,
    DeadlineState,
    EventKind,
    Incident,
    SatisfiedBy,
    SentimentCheckpoint,
    Statement,
    TimelineEvent,
)
from crisis.services.timeline import timeline_event_append
from crisis.timers.breach import deadlines_breach_locked

from .rolling import deadline_next_occurrence, deadlines_create
from .steps import SURGE_STEP, Step, step_accepts_statement, step_for
from .triggers import sentiment_surge_check


def _satisfy(*, incident: Incident, accepts: Callable[[Step], bool], event: TimelineEvent | None,
             note: str = "") -> list[Deadline]:
    # Most logged events can meet no step at all: then do not even look (this is on every write's path).
    if not any(accepts(step) for step in (*incident.playbook_snapshot, SURGE_STEP)):
        return []
    candidates = list(Deadline.objects.select_for_update().filter(
        incident=incident, met_at__isnull=True, state__in=[DeadlineState.PENDING, DeadlineState.BREACHED],
    ).order_by("due_at"))
    now = clock.now()
    matching = [d for d in candidates
                if (step := step_for(incident, d)) is not None and accepts(step) and _window_open(d, step, now)]
    if not matching:
        return []
    for deadline in matching:
        deadline.incident = incident
    late = [d for d in matching if d.state == DeadlineState.PENDING and d.due_at < now]
    deadlines_breach_locked(deadlines=late, now=now)
    for deadline in matching:
        deadline_record_met(deadline=deadline, incident=incident, now=now, event=event, note=note)
    return matching


def _window_open(deadline: Deadline, step: Step, now: datetime) -> bool:
    """An occurrence of "every N minutes" is met only by something done in its own N minutes,
    so the holding statement cannot pre-pay the public update due four hours later."""
    recurrence = step.get("recurrence_seconds")
    if not recurrence or deadline.state != DeadlineState.PENDING:
        return True
    return now >= deadline.due_at - timedelta(seconds=recurrence)


def deadline_record_met(*, deadline: Deadline, incident: Incident, now: datetime, event: TimelineEvent | None,
                        note: str = "") -> None:
    """Compare-and-set to met (or, for one already breached, record when it was met late)."""
    in_time = deadline.state == DeadlineState.PENDING
    new_state = DeadlineState.MET if in_time else DeadlineState.BREACHED
    updated = Deadline.objects.filter(pk=deadline.pk, version=deadline.version, met_at__isnull=True).update(
        state=new_state, met_at=now, satisfied_by_event=event, note=note, version=F("version") + 1)
    if updated != 1:
        return  # somebody else met it first: their record stands
    deadline.state, deadline.met_at, deadline.version = new_state, now, deadline.version + 1
    if in_time:
        body = _("Deadline met: %(name)s.") % {"name": _(deadline.name)}
    else:
        late = int((now - deadline.due_at).total_seconds() // 60)
        body = _("Deadline met late: %(name)s, %(m)d min after it was due.") % {"name": _(deadline.name), "m": late}
    timeline_event_append(incident=incident, kind=EventKind.DEADLINE, body=body, occurred_at=now,
                          metadata={"deadline_id": deadline.pk, "state": "met" if in_time else "met_late",
                                    "step": deadline.step_key})
    if in_time:
        nxt = deadline_next_occurrence(deadline=deadline, incident=incident, anchor=now)
        deadlines_create(deadlines=[nxt] if nxt else [])


def deadlines_satisfy_by_statement(*, statement: Statement) -> list[Deadline]:
    event = TimelineEvent.objects.filter(incident=statement.incident, kind=EventKind.STATEMENT,
                                         metadata__statement_id=statement.pk).order_by("-id").first()
    return _satisfy(incident=statement.incident, event=event,
                    accepts=lambda step: step_accepts_statement(step, kind=statement.kind, channel=statement.channel))


def deadlines_satisfy_by_checkpoints(*, incident: Incident, checkpoints: list[SentimentCheckpoint]) -> list[Deadline]:
    if not checkpoints:
        return []
    met = _satisfy(incident=incident, event=None,
                   accepts=lambda step: step["satisfied_by"] == SatisfiedBy.CHECKPOINT_RECORDED)
    sentiment_surge_check(incident=incident, checkpoints=checkpoints)
    return met


def deadlines_satisfy_by_acknowledgement(*, incident: Incident, event: TimelineEvent) -> list[Deadline]:
    return _satisfy(incident=incident, event=event,
                    accepts=lambda step: step["satisfied_by"] == SatisfiedBy.ACKNOWLEDGED)


def deadlines_satisfy_by_event(*, event: TimelineEvent) -> list[Deadline]:
    return _satisfy(incident=event.incident, event=event,
                    accepts=lambda step: step["satisfied_by"] == SatisfiedBy.EVENT_KIND
                    and step.get("event_kind") == event.kind)
