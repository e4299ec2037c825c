"""Celery tasks for delivery: thin, idempotent, carrying ids; the database decides."""

from celery import shared_task
from django.conf import settings

from .services.sending import deliveries_attempt, delivery_attempt


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def delivery_send(delivery_id: int) -> str:
    """One attempt; a failure worth retrying is scheduled again after an exponential backoff by the service.

    The number of attempts is the database's (GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS), not Celery's,
    so a retry lost with the broker is picked up by the relay and still counted. The task waits for a slow
    receiver at most GOLDEN_HOURS_DELIVERY_WAIT seconds (for one already failing, not at all): the send
    goes on in the background and records itself, and the worker process moves on.
    """
    return delivery_attempt(delivery_id=delivery_id, patience=settings.GOLDEN_HOURS_DELIVERY_WAIT).status


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliveries_deliver(delivery_ids: list[int]) -> int:
    """A batch of first attempts, sent in parallel lanes per receiver; each failure worth retrying comes
    back on its own (``delivery_send``) after its backoff. Returns how many were sent before the task's
    patience ran out (slower ones are recorded when they finish)."""
    results = deliveries_attempt(delivery_ids=delivery_ids, patience=settings.GOLDEN_HOURS_DELIVERY_WAIT)
    return sum(r.status == "sent" for r in results.values())
