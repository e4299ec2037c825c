"""Turning pending deadlines into breaches: one code path for the sweeper, the Celery timer and late satisfaction."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F

from crisis import clock
from crisis.models import Breach, Deadline, DeadlineState, EventKind, Incident, TimelineEvent
from crisis.services.errors import ConcurrentUpdate
from crisis.system_lines import line_english

from .wording import deadline_breach_line

logger = logging.getLogger(__name__)


def deadlines_breach_locked(*, deadlines: list[Deadline], now: datetime, on_arrival: bool = False) -> list[Breach]:
    """Breach deadlines that the caller holds locked (SELECT ... FOR UPDATE) and has seen pending.

    Writes, in the caller's transaction: the state change, one TimelineEvent each, one Breach
    outbox row each (unique per deadline and version), and what follows for recurring steps.
    ``on_arrival``: they were already past due when they were set (an incident logged late, a
    back-dated signal), so paging tells of them together.
    """
    if not deadlines:
        return []
    ids = [d.pk for d in deadlines]
    # Under the row locks this cannot lose; if it ever does, roll everything back rather than half-breach.
    updated = Deadline.objects.filter(pk__in=ids, state=DeadlineState.PENDING).update(
        state=DeadlineState.BREACHED, breached_at=now, version=F("version") + 1
    )
    if updated != len(ids):
        raise ConcurrentUpdate("A deadline changed while it was being breached.")
    incidents = _incidents_of(deadlines)
    events = []
    breaches = []
    for deadline in deadlines:
        incident = incidents[deadline.incident_id]
        said = deadline_breach_line(deadline, incident, overdue_on_arrival=on_arrival)
        events.append(TimelineEvent(
            incident_id=deadline.incident_id, kind=EventKind.DEADLINE, occurred_at=deadline.due_at,
            recorded_at=clock.recorded_now(), body=line_english(said), message=said,
            metadata={"deadline_id": deadline.pk, "state": DeadlineState.BREACHED, "step": deadline.step_key,
                      "due_at": deadline.due_at.isoformat(), "version": deadline.version},
        ))
        breaches.append(Breach(deadline_id=deadline.pk, deadline_version=deadline.version,
                               incident_id=deadline.incident_id, breached_at=deadline.due_at, is_on_arrival=on_arrival))
        deadline.state = DeadlineState.BREACHED
        deadline.breached_at = now
        deadline.version += 1
    TimelineEvent.objects.bulk_create(events)
    created = Breach.objects.bulk_create(breaches)
    from crisis.playbooks.rolling import deadlines_roll_after_breach
    from crisis.timers.scheduling import breaches_dispatch_after_commit

    deadlines_roll_after_breach(deadlines=deadlines, incidents=incidents, now=now)
    breaches_dispatch_after_commit(breach_ids=[b.pk for b in created])
    breaches_log_after_commit([(d.incident_id, d.pk, d.due_at) for d in deadlines])
    return created


def breaches_log_after_commit(breached: list[tuple[int, int, datetime]]) -> None:
    """One log line per breached deadline (incident id, deadline id, due at), once the breach is committed: a
    rolled-back batch logs nothing. The ids are fields of their own in production's JSON lines."""

    def log() -> None:
        for incident_id, deadline_id, due_at in breached:
            logger.info("deadline breached (due %s)", due_at.isoformat(),
                        extra={"incident_id": incident_id, "deadline_id": deadline_id})

    transaction.on_commit(log)


def _incidents_of(deadlines: list[Deadline]) -> dict[int, Incident]:
    cached = {d.incident_id: d.incident for d in deadlines if "incident" in d._state.fields_cache}
    missing = {d.incident_id for d in deadlines} - set(cached)
    if missing:
        cached.update(Incident.objects.in_bulk(missing))
    return cached


def deadlines_breach_overdue(*, incident: Incident, now: datetime, until: datetime | None = None,
                             on_arrival: bool = True, kinds: tuple[str, ...] | None = None) -> list[Breach]:
    """Breach this incident's pending deadlines due by ``until`` (default ``now``): already past when
    they were set (a clock started in the past, a move into the past), or due before a resolution
    that is entered after the fact (then ``on_arrival`` is False: they slipped while it was open)."""
    with transaction.atomic():
        due = Deadline.objects.select_for_update().filter(
            incident=incident, state=DeadlineState.PENDING, due_at__lte=until or now).order_by("due_at")
        due = list(due.filter(kind__in=kinds) if kinds else due)
        for deadline in due:
            deadline.incident = incident
        # Rolling puts the next occurrence of a repeating step after ``now``, so one pass is enough.
        return deadlines_breach_locked(deadlines=due, now=now, on_arrival=on_arrival)
