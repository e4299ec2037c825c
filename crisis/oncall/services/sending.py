"""Sending deliveries: claim the rows, send outside any transaction, record the outcome with a
compare-and-set on (status = sending, attempts = n).

A batch (a burst of breaches pages many people at once) is claimed in one transaction and handed to the
worker process's sending threads, a lane per receiver (lanes.py). A receiver whose circuit breaker is open
(breakers.py) gets nothing: its deliveries fail over at once, as a delivery that failed for good does.
Successes that come back together are recorded in one transaction; each failure goes through the one-row
path, which decides on retry or escalation and schedules the retry itself.

Slow receivers hold up nobody else. The caller waits at most ``patience`` seconds (a send task waits
GOLDEN_HOURS_DELIVERY_WAIT), and not at all for receivers failing or seen slow; a send still running then
records its own outcome when the receiver answers or times out, the row staying "sending" under its lease
meanwhile. A receiver that hangs costs sending threads for its timeouts, never a worker process.

A worker killed mid-send leaves the rows "sending" with a lease; once the lease lapses the relay
sends them again, with the same Idempotency-Key, so the receiver can tell it is the same alert.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from crisis import clock
from crisis.system_lines import line, msgid

from ..models import AttemptOutcome, ContactKind, Delivery, DeliveryAttempt, DeliveryStatus, PageState
from ..transports import MAX_REDIRECTS, TransportError
from .breakers import Gate, breaker_failed, breaker_succeeded, breakers_gate
from .deliveries import delivery_retry_later
from .lanes import (
    NOT_TRIED_CIRCUIT_OPEN,
    NOT_TRIED_LATE,
    START_WITHIN,
    Batch,
    Outcome,
    lanes_send,
    not_tried,
    receiver_troubled,
    receivers_mark_slow,
)

logger = logging.getLogger(__name__)

# After the last request of an attempt, time to record its outcome before the lease lapses.
RECORD_SLACK = timedelta(seconds=20)
# The status of a delivery whose send outlasted the caller's patience: its thread records the outcome.
IN_FLIGHT = "in flight"


@dataclass(frozen=True)
class AttemptResult:
    status: str
    retry_in: float | None = None


def attempt_seconds() -> float:
    """The longest one request of an attempt may take: connecting, then the slowest transport's read timeout."""
    return settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT + max(
        settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT, settings.GOLDEN_HOURS_CHAT_TIMEOUT, settings.GOLDEN_HOURS_EMAIL_TIMEOUT)


def lease_length() -> timedelta:
    """Started within START_WITHIN of the claim, then one request per redirect hop, then recording (58 s with
    the default timeouts: how long a worker killed mid-send holds a delivery before the relay takes over)."""
    return START_WITHIN + timedelta(seconds=attempt_seconds()) * (1 + MAX_REDIRECTS) + RECORD_SLACK


def backoff_seconds(attempt: int) -> float:
    """Exponential: base, 2 x base, 4 x base ... capped."""
    return min(settings.GOLDEN_HOURS_DELIVERY_BACKOFF * 2 ** (attempt - 1), settings.GOLDEN_HOURS_DELIVERY_BACKOFF_MAX)


def _not_claimable(delivery: Delivery, now: datetime) -> str | None:
    """Why this row must not be sent now, or None if it may."""
    if delivery.status not in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.RETRYING):
        return delivery.status
    if delivery.status == DeliveryStatus.SENDING and delivery.lease_until and delivery.lease_until > now:
        return "busy"  # another worker is sending it right now
    if delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at and delivery.next_attempt_at > now:
        return "early"  # the chain that scheduled the retry will come back for it
    if delivery.page.state != PageState.TRIGGERED:
        return DeliveryStatus.CANCELLED
    return None


def _claim_many(delivery_ids: list[int], now: datetime) -> tuple[list[Delivery], dict[int, str]]:
    """Lock the rows (in id order, so overlapping batches queue rather than deadlock) and mark the
    sendable ones "sending" under a lease. Returns them, and why each other id was left alone."""
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update(of=("self",))
                    .select_related("page", "page__incident", "contact", "user")
                    .filter(pk__in=delivery_ids).order_by("pk"))
        skipped = dict.fromkeys(delivery_ids, "missing")
        claimed = []
        for delivery in rows:
            reason = _not_claimable(delivery, now)
            if reason is None:
                claimed.append(delivery)
                skipped.pop(delivery.pk)
            else:
                skipped[delivery.pk] = reason
        cancelled = [pk for pk, reason in skipped.items() if reason == DeliveryStatus.CANCELLED]
        if cancelled:  # the page was acknowledged or resolved meanwhile
            Delivery.objects.filter(pk__in=cancelled).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
        lease = now + lease_length()
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, lease_until=lease)
        for delivery in claimed:
            delivery.status, delivery.lease_until = DeliveryStatus.SENDING, lease
            delivery.attempts += 1
    return claimed, skipped


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery | None, str]:
    claimed, skipped = _claim_many([delivery_id], now)
    return (claimed[0], DeliveryStatus.SENDING) if claimed else (None, skipped[delivery_id])


def deliveries_attempt(*, delivery_ids: list[int], patience: float | None = None) -> dict[int, AttemptResult]:
    """Try each delivery once. Returns what happened to each and, for a failure worth retrying, in how
    many seconds it is tried again (the retry is scheduled here).

    ``patience``: the most seconds to wait for the receivers, and none at all for those in trouble; a send
    still running then finishes in the background and records itself (its status here is IN_FLIGHT).
    None waits for every send (bounded by the timeouts, and by the lease should a thread crash)."""
    now = clock.now()
    claimed, skipped = _claim_many(delivery_ids, now)
    results = {pk: AttemptResult(status=reason) for pk, reason in skipped.items()}
    if not claimed:
        return results
    by_receiver: dict[int | None, list[Delivery]] = {}
    for delivery in claimed:
        by_receiver.setdefault(delivery.contact_id, []).append(delivery)
    gates = breakers_gate(contact_ids={pk for pk in by_receiver if pk is not None}, now=now, probe_for=lease_length())
    gates[None] = Gate(failures_left=settings.GOLDEN_HOURS_BREAKER_FAILURES)  # the console: nothing to break
    batch = Batch(gates, record=_record_outcomes)
    outcomes = []
    for contact_id, deliveries in by_receiver.items():
        if gates[contact_id].failures_left <= 0:  # an open circuit needs no thread: they fail over right here
            outcomes += [not_tried(d, NOT_TRIED_CIRCUIT_OPEN) for d in deliveries]
            continue
        waited = patience is None or not receiver_troubled(contact_id, gates[contact_id])
        lanes_send(batch, contact_id, gates[contact_id], deliveries, waited=waited)
    came_back, slow = batch.wait(lease_length().total_seconds() if patience is None else patience)
    receivers_mark_slow(slow)
    outcomes += came_back
    in_flight = {d.pk for d in claimed} - {o.delivery.pk for o in outcomes}
    results |= {pk: AttemptResult(status=IN_FLIGHT) for pk in in_flight}
    return results | _record_outcomes(outcomes, gates)


def delivery_attempt(*, delivery_id: int, patience: float | None = None) -> AttemptResult:
    return deliveries_attempt(delivery_ids=[delivery_id], patience=patience)[delivery_id]


def _record_outcomes(outcomes: list[Outcome], gates: dict[int | None, Gate]) -> dict[int, AttemptResult]:
    """Record what happened, tell the receivers' breakers, and schedule the retries."""
    results = _record_sent([o for o in outcomes if o.error is None])
    for o in outcomes:
        if o.error is None:
            continue
        if o.not_tried == NOT_TRIED_LATE:
            results[o.delivery.pk] = _release(o.delivery)
        else:
            results[o.delivery.pk] = _record(
                o.delivery, error=o.error, code=o.code, started_at=o.started_at, latency_ms=o.latency_ms,
                outcome=AttemptOutcome.CIRCUIT_OPEN if o.not_tried else None)
    _breakers_tell(outcomes, gates)
    for pk, result in results.items():
        if result.retry_in is not None:
            delivery_retry_later(delivery_id=pk, countdown=result.retry_in)
    return results


def _breakers_tell(outcomes: list[Outcome], gates: dict[int | None, Gate]) -> None:
    """In the order they came back: a failure worth retrying counts against its receiver, a success clears
    it. A success writes only when the breaker had failures on record when the batch was claimed, or failed
    since: the healthy path costs no query."""
    now = clock.now()
    failed: set[int] = set()
    for o in outcomes:
        contact_id = o.delivery.contact_id
        if contact_id is None:
            continue
        if o.counts_against_receiver:
            breaker_failed(contact_id=contact_id, now=now, error=o.error.message)
            failed.add(contact_id)
        elif o.error is None and (o.after_failures or contact_id in failed or gates[contact_id].troubled):
            breaker_succeeded(contact_id=contact_id, now=now)
            failed.discard(contact_id)


def _release(delivery: Delivery) -> AttemptResult:
    """Give back a claim that was never sent: the attempt is not counted, and it is tried again at once."""
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING,
                                      attempts=delivery.attempts).update(
        status=DeliveryStatus.RETRYING, attempts=delivery.attempts - 1, lease_until=None,
        next_attempt_at=clock.now())
    return AttemptResult(status=DeliveryStatus.RETRYING, retry_in=0) if updated else AttemptResult(status="superseded")


@transaction.atomic
def _record_sent(outcomes: list[Outcome]) -> dict[int, AttemptResult]:
    """Successes, in one go: an attempt row each, then sent, unless a later attempt took the row over."""
    if not outcomes:
        return {}
    now = clock.now()
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery=o.delivery, number=o.delivery.attempts, outcome=AttemptOutcome.OK,
                        started_at=o.started_at, latency_ms=o.latency_ms, response_code=o.code, error="")
        for o in outcomes)
    by_attempts: dict[int, list[int]] = {}
    for o in outcomes:
        by_attempts.setdefault(o.delivery.attempts, []).append(o.delivery.pk)
    for attempts, pks in by_attempts.items():
        Delivery.objects.filter(pk__in=pks, status=DeliveryStatus.SENDING, attempts=attempts).update(
            status=DeliveryStatus.SENT, lease_until=None, last_error="", sent_at=now, next_attempt_at=None)
    # A row whose lease lapsed and was taken over by another attempt keeps that attempt's outcome.
    sent = set(Delivery.objects.filter(pk__in=[o.delivery.pk for o in outcomes], status=DeliveryStatus.SENT,
                                       sent_at=now).values_list("pk", flat=True))
    return {o.delivery.pk: AttemptResult(status=DeliveryStatus.SENT if o.delivery.pk in sent else "superseded")
            for o in outcomes}


@transaction.atomic
def _record(delivery: Delivery, *, error: TransportError | None, code, started_at, latency_ms,
            outcome: str | None = None) -> AttemptResult:
    """One attempt's outcome; ``outcome`` names an attempt that was not made (AttemptOutcome.CIRCUIT_OPEN)."""
    now = clock.now()
    exhausted = delivery.attempts >= settings.GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS
    if error is None:
        outcome, status, retry_in = AttemptOutcome.OK, DeliveryStatus.SENT, None
    elif error.permanent or exhausted:
        outcome, status, retry_in = outcome or AttemptOutcome.PERMANENT, DeliveryStatus.FAILED, None
    else:
        outcome, status = AttemptOutcome.RETRYABLE, DeliveryStatus.RETRYING
        retry_in = backoff_seconds(delivery.attempts)
    DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, outcome=outcome,
                                   started_at=started_at, latency_ms=latency_ms, response_code=code,
                                   error=error.message if error else "")
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING,
                                      attempts=delivery.attempts).update(
        status=status, lease_until=None, last_error=error.message if error else "",
        sent_at=now if status == DeliveryStatus.SENT else None,
        next_attempt_at=now + timedelta(seconds=retry_in) if retry_in is not None else None)
    if updated != 1:
        # The lease lapsed and another attempt took the row over: its outcome stands.
        return AttemptResult(status="superseded")
    delivery.status = status
    if status == DeliveryStatus.FAILED:
        _after_permanent_failure(delivery)
    return AttemptResult(status=status, retry_in=retry_in)


def _after_permanent_failure(delivery: Delivery) -> None:
    """Recorded on the timeline; and when nobody at this level can be reached at all, escalate now."""
    from .page_records import page_event
    from .pages import page_escalate

    page = delivery.page
    page_event(page, line("page.unreachable", who=delivery.user.get_username(),
                          kind=msgid(ContactKind(delivery.kind).label), error=delivery.last_error or delivery.status),
               delivery_id=delivery.pk)
    reachable = Delivery.objects.filter(page=page, step=delivery.step).exclude(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.CANCELLED])
    if not reachable.exists():
        page_escalate(page=page, from_step=delivery.step)
