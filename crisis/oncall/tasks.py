"""Celery tasks for delivery: thin, idempotent, carrying ids; the database decides."""

from celery import shared_task

from .services.sending import deliveries_attempt, delivery_attempt


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def delivery_send(self, delivery_id: int) -> str:
    """One attempt; a failure worth retrying comes back after an exponential backoff.

    The number of attempts is the database's (GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS), not Celery's,
    so a retry lost with the broker is picked up by the relay and still counted.
    """
    result = delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliveries_deliver(delivery_ids: list[int]) -> int:
    """A batch of first attempts, sent in parallel; each failure worth retrying comes back on its own
    (``delivery_send``) after its backoff. Returns how many were sent."""
    results = deliveries_attempt(delivery_ids=delivery_ids)
    for pk, result in results.items():
        if result.retry_in is not None:
            delivery_send.apply_async((pk,), countdown=result.retry_in)
    return sum(r.status == "sent" for r in results.values())
