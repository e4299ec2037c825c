"""Celery timers. Thin and idempotent: they carry ids and versions, and the database decides."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from crisis import clock
from crisis.models import Breach

from .sweeper import deadline_breach_if_due


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deadline_due(deadline_id: int, version: int) -> bool:
    """Fires at the deadline's due time. A moved, met or already-breached deadline makes this a no-op."""
    return deadline_breach_if_due(deadline_id=deadline_id, version=version, now=clock.now())


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def breach_dispatch(breach_id: int) -> bool:
    """Deliver a breach from the outbox: page (or escalate) and mark it dispatched, in one transaction.

    The row lock makes a duplicated task wait and then find the breach already dispatched, so a
    breach pages exactly once; the page's unique dedup key backs that up.
    """
    from crisis.oncall.dispatch import breach_alert

    with transaction.atomic():
        # of=self: lock the outbox row only. Locking the incident too would block every timeline insert
        # for it (a foreign-key share lock) while we page, and deadlock against an acknowledgement.
        breach = (Breach.objects.select_for_update(of=("self",)).select_related("deadline", "incident")
                  .filter(pk=breach_id, dispatched_at__isnull=True).first())
        if breach is None:
            return False
        breach_alert(breach=breach)
        return bool(Breach.objects.filter(pk=breach_id, dispatched_at__isnull=True)
                    .update(dispatched_at=timezone.now()))
