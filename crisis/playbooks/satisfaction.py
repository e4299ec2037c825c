"""Satisfying facts mark the matching deadlines met, in the same transaction as the fact itself.

Deadlines are judged by when the fact *happened* (a statement's publication, a checkpoint's
measurement, an acknowledgement's time), not when somebody typed it in. The engine, which only
knows the clock, may have flagged a deadline before the fact that meets it was entered; the fact
then settles the breach:

- it happened by the due time: the deadline becomes met on time (entered late), its breach is
  retracted (kept in history, with who and when) and its page resolved;
- it happened after the due time: the deadline stays breached and records when it was met, so the
  report says by how much it slipped.

Both sides lock the deadline row before deciding, so the sweeper and a fact agree on the order.
"""

from collections.abc import Callable
from datetime import datetime

from django.db.models import F, Q

from crisis import clock
from crisis.models import (
    Breach,
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
from crisis.system_lines import Message, line, line_english, msgid
from crisis.timers.breach import deadlines_breach_locked
from crisis.timers.wording import entered_later_line, hhmm

from .rolling import deadline_next_occurrence
from .signals import deadline_alarm_settled
from .steps import (
    SURGE_STEP,
    Step,
    instant_after,
    step_accepts_statement,
    step_for,
    step_recurrence,
    step_window_start,
)

# A backfilled series settles at most one occurrence per round; this bounds a pathological one.
MAX_ROUNDS = 500


def _satisfy(*, incident: Incident, accepts: Callable[[Step], bool], moments: list[datetime],
             event: TimelineEvent | None, note: str = "", actor=None) -> list[Deadline]:
    """Judge the deadlines that facts of one kind, which happened at ``moments``, can meet."""
    # Most logged events can meet no step at all: then do not even look (this is on every write's path).
    if not moments or not any(accepts(step) for step in (*incident.playbook_snapshot, SURGE_STEP)):
        return []
    moments = sorted(set(moments))
    settled: list[Deadline] = []
    for _round in range(MAX_ROUNDS):
        # Unmet, or met later than a fact here happened: an earlier fact improves the verdict (or, for a
        # step met once, the record of when it was done: the first statement was the one at 23:30).
        candidates = Deadline.objects.select_for_update().filter(
            Q(met_at__isnull=True) | Q(met_at__gt=moments[0]),
            incident=incident, state__in=[DeadlineState.PENDING, DeadlineState.BREACHED, DeadlineState.MET],
        ).order_by("due_at", "id")
        verdicts = [(d, happened) for d in candidates
                    if (step := step_for(incident, d)) is not None and accepts(step)
                    and not (d.state == DeadlineState.MET and step_recurrence(step))
                    and (happened := _fact_for(d, step, moments)) is not None]
        if not verdicts:
            break
        now = clock.now()
        for deadline, _happened in verdicts:
            deadline.incident = incident
        # Due before the fact happened and not flagged yet: it was missed all the same (the sweeper's path).
        deadlines_breach_locked(deadlines=[d for d, happened in verdicts
                                           if d.state == DeadlineState.PENDING and d.due_at < happened], now=now)
        progressed = [d for d, happened in verdicts
                      if deadline_record_met(deadline=d, incident=incident, happened_at=happened, now=now,
                                             event=event, note=note, actor=actor)]
        settled += progressed
        # One fact meets what it can in one pass; a series may go on to meet the occurrences that
        # meeting these rolled into.
        if not progressed or len(moments) == 1:
            break
    return settled


def _fact_for(deadline: Deadline, step: Step, moments: list[datetime]) -> datetime | None:
    """Which of the facts settles this deadline: the first one in its window by its due time (the last
    one, for a repeating step, whose cadence restarts from it), else the first one after it."""
    start = step_window_start(step, deadline)
    usable = [m for m in moments if (start is None or m > start) and (deadline.met_at is None or m < deadline.met_at)]
    if not usable:
        return None
    in_time = [m for m in usable if m <= deadline.due_at]
    if in_time:
        return in_time[-1] if step.get("recurrence_seconds") else in_time[0]
    return usable[0]


def deadline_record_met(*, deadline: Deadline, incident: Incident, happened_at: datetime, now: datetime,
                        event: TimelineEvent | None, note: str = "", actor=None) -> bool:
    """Compare-and-set the verdict a fact that happened at ``happened_at`` gives ``deadline`` (locked by
    the caller, at the version the caller holds). Returns False when somebody else's record won."""
    in_time = happened_at <= deadline.due_at
    was_breached = deadline.state == DeadlineState.BREACHED
    was_met = deadline.state == DeadlineState.MET
    new_state = DeadlineState.MET if in_time else DeadlineState.BREACHED
    recorded = clock.recorded_now()
    updated = Deadline.objects.filter(pk=deadline.pk, version=deadline.version, state=deadline.state).update(
        state=new_state, met_at=happened_at, met_recorded_at=recorded, satisfied_by_event=event, note=note,
        version=F("version") + 1)
    if updated != 1:
        return False  # somebody else settled it first: their record stands
    deadline.state, deadline.met_at, deadline.met_recorded_at = new_state, happened_at, recorded
    deadline.version += 1
    values = {"name": msgid(deadline.name), "at": hhmm(happened_at, incident), "due": hhmm(deadline.due_at, incident),
              # Everything in a record of the past was entered later; saying so on each line is noise.
              "late": "" if incident.is_retrospective else entered_later_line(happened_at, recorded)}
    metadata = {"deadline_id": deadline.pk, "step": deadline.step_key, "met_at": happened_at.isoformat(),
                "entered_minutes_later": max(0, int((recorded - happened_at).total_seconds() // 60))}
    if in_time and was_breached:
        said = line("deadline.breach_retracted", **values)
        metadata["state"] = "retracted"
    elif was_met:
        said = line("deadline.met_earlier", name=values["name"], at=values["at"], late=values["late"])
        metadata["state"] = "met"
    elif in_time:
        said = line("deadline.met", name=values["name"], late=values["late"])
        metadata["state"] = "met"
    else:
        minutes = int((happened_at - deadline.due_at).total_seconds() // 60)
        said = line("deadline.met_late", name=values["name"], m=minutes, late=values["late"])
        metadata.update(state="met_late", late_minutes=minutes)
    body = line_english(said)
    timeline_event_append(incident=incident, kind=EventKind.DEADLINE, line=said, occurred_at=happened_at,
                          actor=actor, metadata=metadata)
    if was_breached or not in_time:
        deadline_alarm_settle(deadline=deadline, retracted=in_time, actor=actor, now=recorded, reason=body,
                              reason_line=said)
    if in_time and was_breached:
        _successor_reanchor(deadline, incident, anchor=happened_at, now=now)
    if in_time and not was_breached and not was_met:
        deadline_next_occurrence(deadline=deadline, incident=incident, anchor=happened_at, now=now)
    return True


def _successor_reanchor(deadline: Deadline, incident: Incident, *, anchor: datetime, now: datetime) -> None:
    """A retracted occurrence of a repeating step was met in time after all, so the cadence restarts
    from when it was met, as it would have live: move the next occurrence, which its breach had put
    one interval after the due time, while it is still pending and ahead."""
    step = step_for(incident, deadline)
    every = step_recurrence(step) if step else None
    if every is None:
        return
    due = instant_after(anchor, every)
    successor = Deadline.objects.select_for_update().filter(
        incident=incident, kind=deadline.kind, step_key=deadline.step_key, occurrence=deadline.occurrence + 1,
        state=DeadlineState.PENDING).first()
    if successor is None or due <= now or due == successor.due_at:
        return
    if Deadline.objects.filter(pk=successor.pk, version=successor.version, state=DeadlineState.PENDING).update(
            due_at=due, version=F("version") + 1) != 1:
        return
    successor.due_at, successor.version = due, successor.version + 1
    timeline_event_append(
        incident=incident, kind=EventKind.DEADLINE,
        line=line("deadline.cadence_restarted", name=msgid(successor.name), due=hhmm(due, incident),
                  at=hhmm(anchor, incident)),
        metadata={"deadline_id": successor.pk, "to": due.isoformat(), "version": successor.version},
    )
    from crisis.timers.scheduling import deadlines_schedule

    deadlines_schedule(deadlines=[successor])


def deadline_alarm_settle(*, deadline: Deadline, retracted: bool, actor, now: datetime, reason: str,
                          reason_line: Message | None = None) -> None:
    """``reason`` (English) is kept on the breach; ``reason_line`` is the same as a system line, for those
    who tell people of it in their language."""
    breaches = list(Breach.objects.filter(deadline=deadline, retracted_at__isnull=True))
    if retracted and breaches:
        Breach.objects.filter(pk__in=[b.pk for b in breaches], retracted_at__isnull=True).update(
            retracted_at=now, retracted_by=actor if getattr(actor, "is_authenticated", False) else None,
            retraction_reason=reason)
    deadline_alarm_settled.send(sender=Deadline, deadline=deadline, breaches=breaches, retracted=retracted,
                                actor=actor, reason=reason, reason_line=reason_line)


def deadlines_satisfy_by_statement(*, statement: Statement, actor=None) -> list[Deadline]:
    event = TimelineEvent.objects.filter(incident=statement.incident, kind=EventKind.STATEMENT,
                                         metadata__statement_id=statement.pk).order_by("-id").first()
    return _satisfy(incident=statement.incident, event=event, moments=[statement.published_at], actor=actor,
                    accepts=lambda step: step_accepts_statement(step, kind=statement.kind, channel=statement.channel))


def deadlines_satisfy_by_checkpoints(*, incident: Incident, checkpoints: list[SentimentCheckpoint],
                                     actor=None) -> list[Deadline]:
    if not checkpoints:
        return []
    met = _satisfy(incident=incident, event=None, moments=[cp.measured_at for cp in checkpoints], actor=actor,
                   accepts=lambda step: step["satisfied_by"] == SatisfiedBy.CHECKPOINT_RECORDED)
    from .triggers import sentiment_surge_check

    sentiment_surge_check(incident=incident, checkpoints=checkpoints)
    return met


def deadlines_satisfy_by_acknowledgement(*, incident: Incident, event: TimelineEvent, actor=None) -> list[Deadline]:
    return _satisfy(incident=incident, event=event, moments=[incident.acknowledged_at], actor=actor,
                    accepts=lambda step: step["satisfied_by"] == SatisfiedBy.ACKNOWLEDGED)


def deadlines_satisfy_by_event(*, event: TimelineEvent, actor=None) -> list[Deadline]:
    return _satisfy(incident=event.incident, event=event, moments=[event.occurred_at], actor=actor,
                    accepts=lambda step: step["satisfied_by"] == SatisfiedBy.EVENT_KIND
                    and step.get("event_kind") == event.kind)
