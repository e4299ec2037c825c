"""The auditor: a periodic job that is not the engine (``manage.py audit_deadlines`` from cron or a systemd
timer) and finds what a dead or stuck engine left behind: deadlines still pending well past their due time.

It breaches them through the engine's own path (crisis.timers.breach.deadlines_breach_locked: the
compare-and-set on state, one Breach outbox row per deadline and version, paging after commit), on rows it holds
with SELECT ... FOR UPDATE SKIP LOCKED. An engine that comes back at the same moment either holds the row (the
auditor skips it) or has breached it already (it is no longer pending): each deadline is breached exactly once.
What it catches is reported: a log line each, a timeline note in the incident and an audit row.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.durations import duration_label
from crisis.models import AuditEntry, Deadline, DeadlineState, EventKind, TimelineEvent
from crisis.selectors import local_time
from crisis.services.audit import audit_entry
from crisis.services.origin import Origin, origin_set
from crisis.timers.breach import deadlines_breach_locked

from .conf import setting

logger = logging.getLogger(__name__)

BATCH = 500
AUDITOR = "auditor"


def audit_margin() -> timedelta:
    return timedelta(seconds=setting("GOLDEN_HOURS_AUDIT_MARGIN"))


def deadlines_audit_overdue(*, now: datetime | None = None, margin: timedelta | None = None) -> list[int]:
    """Breach every pending deadline due more than ``margin`` before ``now``; returns the ids it breached."""
    now = now or clock.now()
    margin = audit_margin() if margin is None else margin
    caught: list[int] = []
    with origin_set(Origin(via=AUDITOR)):
        while True:
            batch = _audit_batch(now=now, cutoff=now - margin)
            caught += batch
            if len(batch) < BATCH:
                return caught


def _audit_batch(*, now: datetime, cutoff: datetime) -> list[int]:
    with transaction.atomic():
        # Uses the partial index deadline_pending_due (state = 'pending', due_at), as the sweep does.
        due = list(Deadline.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(state=DeadlineState.PENDING, due_at__lte=cutoff)
                   .select_related("incident__organization").order_by("due_at")[:BATCH])
        if not due:
            return []
        late = {d.pk: now - d.due_at for d in due}
        deadlines_breach_locked(deadlines=due, now=now)
        TimelineEvent.objects.bulk_create([_caught_event(d, late[d.pk], now) for d in due])
        AuditEntry.objects.bulk_create([
            audit_entry(organization=d.incident.organization, actor=None, action="deadline.breach_by_auditor", obj=d,
                        changes={"due_at": d.due_at.isoformat(), "late_seconds": int(late[d.pk].total_seconds()),
                                 "version": d.version})
            for d in due
        ])
    for d in due:
        logger.warning("auditor caught deadline %s of incident %s: still pending %ds after it was due; breached it",
                       d.pk, d.incident_id, int(late[d.pk].total_seconds()),
                       extra={"incident_id": d.incident_id, "deadline_id": d.pk})
    return [d.pk for d in due]


def _caught_event(deadline: Deadline, late: timedelta, now: datetime) -> TimelineEvent:
    incident = deadline.incident
    body = _("The auditor caught %(name)s: still pending %(late)s after it was due at %(due)s, because the "
             "deadline engine had not breached it. It is breached now and paged as usual.") % {
        "name": _(deadline.name), "late": duration_label(late.total_seconds() / 60),
        "due": local_time(deadline.due_at, incident.time_zone).strftime("%H:%M"),
    }
    return TimelineEvent(incident_id=deadline.incident_id, kind=EventKind.NOTE, occurred_at=now,
                         recorded_at=clock.recorded_now(), body=body,
                         metadata={"deadline_id": deadline.pk, "caught_by": AUDITOR,
                                   "late_seconds": int(late.total_seconds())})
