"""Telling the engine about deadlines: a wake-up for the sweeper, and Celery ETA timers if enabled.

Both are hints. The database is the truth and the sweeper finds every due deadline even if
no task was ever sent, so failures here are logged, never raised into the caller's transaction.

Per-deadline ETA timers are sent only with ``GOLDEN_HOURS_ETA_HORIZON`` above 0; with 0 the engine,
which sleeps until the next due time and is woken by NOTIFY, is the only breacher.
"""

import logging
import queue
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from crisis import clock
from crisis.models import Deadline, DeadlineState

logger = logging.getLogger(__name__)

WAKE_CHANNEL = "golden_hours_deadlines"


def eta_horizon() -> timedelta:
    # ETA tasks sit unacknowledged in the broker until they run; keep them well inside the
    # visibility timeout so Redis never redelivers one by design.
    return timedelta(seconds=settings.GOLDEN_HOURS_ETA_HORIZON)


def eta_timers_enabled() -> bool:
    return settings.GOLDEN_HOURS_ETA_HORIZON > 0


def deadlines_schedule(*, deadlines: list[Deadline]) -> None:
    """Called in the transaction that created or moved ``deadlines``; acts after it commits."""
    pending = [d for d in deadlines if d.state == DeadlineState.PENDING]
    if not pending:
        return
    sweeper_wake()
    if not eta_timers_enabled():
        return
    horizon = clock.now() + eta_horizon()
    near = [(d.pk, d.version, d.due_at) for d in pending if d.due_at <= horizon]
    if not near:
        return
    eta_versions_mark(near)
    transaction.on_commit(lambda: timers_send(near))


def eta_versions_mark(items: list[tuple]) -> None:
    """Record, per (pk, version, due), the version a timer is being sent for, so each version gets one."""
    by_version: dict[int, list[int]] = {}
    for pk, version, _due in items:
        by_version.setdefault(version, []).append(pk)
    for version, pks in by_version.items():  # one statement per version: a batch of new timers shares one
        Deadline.objects.filter(pk__in=pks, version=version).update(eta_version=version)


_outbox: queue.SimpleQueue | None = None


def publish_in_background() -> None:
    """For the engine loop: publish from one helper thread, so that a slow or dead broker (each failed
    publish waits out the connection timeout) or a thousand messages after a big batch never hold up
    the next sweep. A message lost with the thread is only a hint; the sweeper and the relay cover it."""
    global _outbox
    if _outbox is not None:
        return
    _outbox = queue.SimpleQueue()

    def drain(box: queue.SimpleQueue) -> None:
        while True:
            box.get()()

    threading.Thread(target=drain, args=(_outbox,), name="golden-hours-publisher", daemon=True).start()


def publish(send: Callable[[], None]) -> None:
    if _outbox is None:
        send()
    else:
        _outbox.put(send)


def timers_send(items: list[tuple]) -> None:
    if not settings.GOLDEN_HOURS_SEND_TIMERS:
        return
    from .tasks import deadline_due

    def send() -> None:
        for pk, version, due in items:
            try:
                deadline_due.apply_async((pk, version), eta=due, retry=False)
            except Exception:  # the broker is down: the sweeper covers these; don't wait out a timeout for each
                logger.warning("could not schedule deadline %s v%s (and %d more); the sweeper will catch them",
                               pk, version, len(items) - 1, exc_info=True)
                return

    publish(send)


def sweeper_wake() -> None:
    """Wake a sleeping sweeper at commit (PostgreSQL NOTIFY is delivered only if the transaction commits)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [WAKE_CHANNEL])


def breaches_dispatch_after_commit(*, breach_ids: list[int]) -> None:
    if not breach_ids or not settings.GOLDEN_HOURS_SEND_TIMERS:
        return
    transaction.on_commit(lambda: breaches_send(breach_ids))


def breaches_send(breach_ids: list[int]) -> None:
    """Queue dispatch tasks, a batch of breaches each; the outbox relay in the engine loop retries what
    does not get through. Batches keep a burst of breaches cheap; several of them let workers share it."""
    size = settings.GOLDEN_HOURS_DISPATCH_BATCH
    batches = [breach_ids[i:i + size] for i in range(0, len(breach_ids), size)]

    def send() -> None:
        from .tasks import breaches_dispatch

        for batch in batches:
            try:
                breaches_dispatch.apply_async((batch,), retry=False)
            except Exception:  # the broker is down: one timeout is enough to know, the relay retries the rest
                logger.warning("could not queue breaches %s (and %d more batches); the relay will retry", batch,
                               len(batches) - 1, exc_info=True)
                return

    publish(send)
