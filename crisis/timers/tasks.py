"""Celery timers. Thin and idempotent: they carry ids and versions, and the database decides."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from crisis import clock
from crisis.models import Breach

from .consumers import breaches_announce
from .sweeper import deadline_breach_if_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deadline_due(deadline_id: int, version: int) -> bool:
    """Fires at the deadline's due time. A moved, met or already-breached deadline makes this a no-op."""
    return deadline_breach_if_due(deadline_id=deadline_id, version=version, now=clock.now())


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def breach_dispatch(breach_id: int) -> bool:
    """One breach from the outbox (kept for messages queued before batches existed)."""
    return breaches_dispatch([breach_id]) == 1


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def breaches_dispatch(breach_ids: list[int]) -> int:
    """Deliver breaches from the outbox to their consumers (crisis/timers/consumers.py: on-call pages or
    escalates) and mark them dispatched, in one transaction.

    The row locks make a duplicated task wait and then find the breaches already dispatched, so a
    breach is announced exactly once; on-call's unique dedup key per page backs that up. If the batch
    fails as a whole, each breach is tried on its own, so one bad row cannot hold back the others' pages.
    """
    try:
        return _dispatch(breach_ids)
    except Exception:
        if len(breach_ids) == 1:
            raise
        logger.exception("dispatching %d breaches together failed; trying them one by one", len(breach_ids))
    dispatched = 0
    for pk in breach_ids:
        try:
            dispatched += _dispatch([pk])
        except Exception:  # left in the outbox: the relay tries it again later
            logger.exception("could not dispatch breach %s", pk)
    return dispatched


def _dispatch(breach_ids: list[int]) -> int:
    with transaction.atomic():
        # of=self: lock the outbox rows only. Locking the incidents too would block every timeline insert
        # for them (a foreign-key share lock) while the consumers work (on-call pages), and deadlock against an
        # acknowledgement.
        # In id order, so two overlapping batches queue up rather than deadlock.
        breaches = list(Breach.objects.select_for_update(of=("self",))
                        .select_related("deadline", "incident", "incident__organization")
                        .filter(pk__in=breach_ids, dispatched_at__isnull=True).order_by("pk"))
        if not breaches:
            return 0
        breaches_announce(breaches=breaches)
        return Breach.objects.filter(pk__in=[b.pk for b in breaches], dispatched_at__isnull=True).update(
            dispatched_at=timezone.now())
