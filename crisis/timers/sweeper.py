"""The sweeper: finds due pending deadlines in the database and breaches them. Needs no Celery.

Several sweepers (and Celery timers) may run at once: SELECT ... FOR UPDATE SKIP LOCKED hands
each row to one of them, and the compare-and-set inside the breach makes a second attempt a no-op.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from crisis.models import Breach, Deadline, DeadlineState

from .breach import deadlines_breach_locked
from .burst import deadlines_breach_due_in_bulk
from .scheduling import breaches_send, eta_horizon, eta_timers_enabled, eta_versions_mark, timers_send

BATCH = 1000
TIMER_BATCH = 200


def _lock_due(now: datetime, limit: int, *, pk: int | None = None, version: int | None = None) -> list[Deadline]:
    # Uses the partial index deadline_pending_due (state = 'pending', due_at).
    rows = Deadline.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        state=DeadlineState.PENDING, due_at__lte=now
    )
    if pk is not None:
        rows = rows.filter(pk=pk, version=version)
    return list(rows.select_related("incident").order_by("due_at")[:limit])


def deadlines_breach_due(*, now: datetime, batch: int = BATCH) -> int:
    """Breach everything due at ``now``, a batch per transaction; returns how many this call breached.

    On PostgreSQL a batch is a few set-based statements (crisis/timers/burst.py); elsewhere (SQLite, for
    development) the ORM path writes the same rows."""
    total = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                breached = deadlines_breach_due_in_bulk(now=now, limit=batch)
            else:
                due = _lock_due(now, batch)
                deadlines_breach_locked(deadlines=due, now=now)
                breached = len(due)
        total += breached
        if not breached:
            return total


def deadline_breach_if_due(*, deadline_id: int, version: int, now: datetime) -> bool:
    """The Celery timer's path: breach this deadline if it is still pending at that version and due.

    A timer firing in a burst also takes along whatever else is due that nobody holds (up to
    TIMER_BATCH rows): one transaction for many rows instead of one each, and their own timers then
    find nothing left to do. Returns whether this timer's deadline was breached here.
    """
    with transaction.atomic():
        due = _lock_due(now, TIMER_BATCH)
        mine = any(d.pk == deadline_id and d.version == version for d in due)
        if not mine and all(d.pk != deadline_id for d in due):  # due, but beyond the batch
            own = _lock_due(now, 1, pk=deadline_id, version=version)
            due, mine = due + own, bool(own)
        deadlines_breach_locked(deadlines=due, now=now)
    return mine


@dataclass(frozen=True)
class NextDue:
    """What the engine needs to decide how long to sleep after a sweep at ``swept_at``."""

    at: datetime | None  # the nearest pending deadline due after the sweep (None: nothing pending)
    held: bool  # a deadline due by the sweep is still pending: another transaction holds its row lock


def deadline_next_due(*, swept_at: datetime) -> NextDue:
    """After a sweep at ``swept_at``: when the next deadline falls due, and whether the sweep skipped a due row.

    The sweep breached every due row it could lock (SKIP LOCKED), so a row due by then and still pending
    is one that another transaction holds (a satisfying change, a timer, another engine). Counting it as
    "next due" would make the engine sleep 0 and spin on the row until the lock goes; it is reported
    apart, and the engine backs off instead. Both are probes of the partial index deadline_pending_due.
    """
    pending = Deadline.objects.filter(state=DeadlineState.PENDING)
    upcoming = pending.filter(due_at__gt=swept_at).aggregate(next=Min("due_at"))["next"]
    return NextDue(at=upcoming, held=pending.filter(due_at__lte=swept_at).exists())


def deadlines_schedule_upcoming(*, now: datetime) -> int:
    """Send ETA tasks for deadlines that have come within the horizon since they were created."""
    if not eta_timers_enabled():
        return 0
    with transaction.atomic():
        rows = list(
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(state=DeadlineState.PENDING, due_at__lte=now + eta_horizon())
            .exclude(eta_version=F("version"))
            .values_list("pk", "version", "due_at")[:BATCH]
        )
        eta_versions_mark(rows)
        transaction.on_commit(lambda: timers_send(rows))
    return len(rows)


def breaches_relay(*, older_than: float) -> int:
    """Outbox relay: re-send dispatch for breaches whose task never marked them (lost in a broker restart)."""
    # recorded_at is the database server's real time, so compare with real time, not the injectable clock.
    cutoff = timezone.now() - timedelta(seconds=older_than)
    stale = list(Breach.objects.filter(dispatched_at__isnull=True, recorded_at__lte=cutoff)
                 .values_list("pk", flat=True)[:BATCH])
    if stale:
        breaches_send(stale)
    return len(stale)
