"""From playbook to deadlines: at opening, on a severity change or a re-dated clock, at resolution."""

from django.db.models import F

from crisis import clock
from crisis.models import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Incident,
    IncidentStatus,
    Playbook,
    TimelineEvent,
)
from crisis.models.deadline import deadline_outlives_incident
from crisis.services.timeline import timeline_event_append
from crisis.system_lines import Message, line, line_english, lowered, msgid
from crisis.timers.breach import deadlines_breach_overdue
from crisis.timers.scheduling import deadlines_schedule
from crisis.timers.wording import hhmm

from .golden_four_hours import playbook_install_default
from .steps import step_first_due, step_snapshot


def playbook_active(*, organization) -> Playbook:
    playbook = Playbook.objects.filter(organization=organization, is_active=True).order_by("-version").first()
    return playbook or playbook_install_default(organization=organization)


def incident_playbook_start(*, incident: Incident, judge_now: bool = True) -> list[Deadline]:
    """Snapshot the playbook onto the incident and create its deadlines (already-past ones breach at once)."""
    playbook = playbook_active(organization=incident.organization)
    incident.playbook = playbook
    incident.playbook_snapshot = [step_snapshot(step) for step in playbook.steps.order_by("position")]
    Incident.objects.filter(pk=incident.pk).update(playbook=playbook, playbook_snapshot=incident.playbook_snapshot)
    deadlines = Deadline.objects.bulk_create(
        Deadline(incident=incident, kind=DeadlineKind.PLAYBOOK, step_key=step["key"], name=step["name"],
                 responsible_role=step["responsible_role"], due_at=step_first_due(step, incident))
        for step in incident.playbook_snapshot
    )
    deadlines_schedule(deadlines=deadlines)
    if judge_now:
        deadlines_breach_overdue(incident=incident, now=clock.now())
    return deadlines


def incident_playbook_reschedule(*, incident: Incident, reason: Message | str) -> list[Deadline]:
    """Move first occurrences to match the current severity and clock start; each move bumps the version."""
    steps = {step["key"]: step for step in incident.playbook_snapshot}
    moved = []
    pending = Deadline.objects.select_for_update().filter(
        incident=incident, kind=DeadlineKind.PLAYBOOK, state=DeadlineState.PENDING, occurrence=0)
    for deadline in pending:
        step = steps.get(deadline.step_key)
        if step is None:
            continue
        due = step_first_due(step, incident)
        if due == deadline.due_at:
            continue
        Deadline.objects.filter(pk=deadline.pk, version=deadline.version).update(
            due_at=due, version=F("version") + 1)
        old_due, deadline.due_at, deadline.version = deadline.due_at, due, deadline.version + 1
        moved.append(deadline)
        timeline_event_append(
            incident=incident, kind=EventKind.DEADLINE,
            line=line("deadline.moved", name=msgid(deadline.name), due=hhmm(due, incident), reason=reason),
            metadata={"deadline_id": deadline.pk, "from": old_due.isoformat(), "to": due.isoformat(),
                      "version": deadline.version},
        )
    deadlines_schedule(deadlines=moved)
    deadlines_breach_overdue(incident=incident, now=clock.now())
    return moved


def incident_playbook_on_status(*, incident: Incident) -> int:
    """Once an incident stops being open, nothing more is owed on its clock: cancel what is pending.

    But what fell due before it was over is judged first, even if nobody swept it yet (the engine was
    down, or the resolution is entered after the fact): resolving must never erase a slip. And what fell
    due only after it was over was never owed, even if an incident logged late had it flagged already.
    A false alarm owed nothing at all.
    """
    if incident.is_open:
        return 0
    now = clock.now()
    over_at = incident.resolved_at or incident.closed_at or now
    if incident.status != IncidentStatus.FALSE_ALARM:
        deadlines_breach_overdue(incident=incident, now=now, until=over_at, on_arrival=False,
                                 kinds=(DeadlineKind.PLAYBOOK, DeadlineKind.SURGE))
    _not_owed_withdraw(incident, over_at=over_at, now=now)
    # An action item (and the timer escalating its page) is still owed after the crisis.
    pending = [(d.pk, d.name) for d in Deadline.objects.select_for_update().filter(
        incident=incident, state=DeadlineState.PENDING).only("pk", "name", "kind", "subject")
        if not deadline_outlives_incident(d)]
    cancelled = Deadline.objects.filter(pk__in=[pk for pk, _n in pending], state=DeadlineState.PENDING).update(
        state=DeadlineState.CANCELLED, cancelled_at=now, version=F("version") + 1)
    if cancelled:
        said = [(pk, line("deadline.cancelled", status=lowered(IncidentStatus(incident.status).label),
                          name=msgid(name))) for pk, name in pending]
        TimelineEvent.objects.bulk_create([
            TimelineEvent(incident=incident, kind=EventKind.DEADLINE, occurred_at=over_at,
                          recorded_at=clock.recorded_now(), body=line_english(message), message=message,
                          metadata={"deadline_id": pk, "state": DeadlineState.CANCELLED})
            for pk, message in said
        ])
    return cancelled


def _not_owed_withdraw(incident: Incident, *, over_at, now) -> None:
    """Breaches of deadlines due after the incident was over (flagged when it was logged late, before
    anyone said when it ended): the alarm was not owed. The deadline is cancelled, its breach retracted."""
    flagged = list(Deadline.objects.select_for_update().filter(
        incident=incident, state=DeadlineState.BREACHED, met_at__isnull=True, due_at__gt=over_at,
        kind__in=[DeadlineKind.PLAYBOOK, DeadlineKind.SURGE]))
    if not flagged:
        return
    from .satisfaction import deadline_alarm_settle

    for deadline in flagged:
        if Deadline.objects.filter(pk=deadline.pk, version=deadline.version, state=DeadlineState.BREACHED).update(
                state=DeadlineState.CANCELLED, cancelled_at=now, version=F("version") + 1) != 1:
            continue
        deadline.state = DeadlineState.CANCELLED
        deadline.version += 1
        said = line("deadline.not_owed", name=msgid(deadline.name))
        reason = line_english(said)
        timeline_event_append(incident=incident, kind=EventKind.DEADLINE, line=said, occurred_at=deadline.due_at,
                              metadata={"deadline_id": deadline.pk, "state": DeadlineState.CANCELLED,
                                        "step": deadline.step_key, "not_owed": True})
        deadline_alarm_settle(deadline=deadline, retracted=True, actor=None, now=clock.recorded_now(), reason=reason,
                              reason_line=said)
