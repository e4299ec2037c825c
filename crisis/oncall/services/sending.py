"""Sending deliveries: claim the rows, send outside any transaction, record the outcome with a
compare-and-set on (status = sending, attempts = n).

A batch (a burst of breaches pages many people at once) is claimed in one transaction, sent in
parallel threads (the transports touch no database), and its successes recorded in one
transaction; each failure goes through the one-row path, which decides on retry or escalation.
A worker killed mid-send leaves the rows "sending" with a lease; once the lease lapses the relay
sends them again, with the same Idempotency-Key, so the receiver can tell it is the same alert.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock

from ..models import AttemptOutcome, ContactKind, Delivery, DeliveryAttempt, DeliveryStatus, PageState
from ..transports import TransportError, transport_for

logger = logging.getLogger(__name__)

LEASE_SLACK = timedelta(seconds=30)
SEND_THREADS = 8


@dataclass(frozen=True)
class AttemptResult:
    status: str
    retry_in: float | None = None


@dataclass(frozen=True)
class _Outcome:
    delivery: Delivery
    error: TransportError | None
    code: int | None
    started_at: datetime
    latency_ms: int


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
        lease = now + timedelta(seconds=settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT) * (1 + 3) + LEASE_SLACK
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, lease_until=lease)
        for delivery in claimed:
            delivery.status, delivery.lease_until = DeliveryStatus.SENDING, lease
            delivery.attempts += 1
    return claimed, skipped


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery | None, str]:
    claimed, skipped = _claim_many([delivery_id], now)
    return (claimed[0], DeliveryStatus.SENDING) if claimed else (None, skipped[delivery_id])


def _send(delivery: Delivery) -> _Outcome:
    started_at = clock.now()
    started = time.monotonic()
    error: TransportError | None = None
    code = None
    try:
        if delivery.kind != ContactKind.CONSOLE and delivery.contact is None:
            raise TransportError(_("This contact method was removed."), permanent=True)
        result = transport_for(delivery.kind).notify(delivery.page, delivery)
        code = result.response_code
    except TransportError as exc:
        error, code = exc, exc.response_code
    except Exception as exc:  # a bug or an unexpected library error: recorded and retried, not lost
        logger.exception("transport %s crashed on delivery %s", delivery.kind, delivery.pk)
        error = TransportError(str(exc))
    return _Outcome(delivery, error, code, started_at, int((time.monotonic() - started) * 1000))


def deliveries_attempt(*, delivery_ids: list[int]) -> dict[int, AttemptResult]:
    """Try each delivery once. Returns what happened to each and, for a failure worth retrying, in how
    many seconds to try again."""
    claimed, skipped = _claim_many(delivery_ids, clock.now())
    results = {pk: AttemptResult(status=reason) for pk, reason in skipped.items()}
    if len(claimed) > 1:
        with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(claimed))) as pool:
            outcomes = list(pool.map(_send, claimed))
    else:
        outcomes = [_send(d) for d in claimed]
    results |= _record_sent([o for o in outcomes if o.error is None])
    for o in outcomes:
        if o.error is not None:
            results[o.delivery.pk] = _record(o.delivery, error=o.error, code=o.code, started_at=o.started_at,
                                             latency_ms=o.latency_ms)
    return results


def delivery_attempt(*, delivery_id: int) -> AttemptResult:
    return deliveries_attempt(delivery_ids=[delivery_id])[delivery_id]


@transaction.atomic
def _record_sent(outcomes: list[_Outcome]) -> dict[int, AttemptResult]:
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
def _record(delivery: Delivery, *, error: TransportError | None, code, started_at, latency_ms) -> AttemptResult:
    now = clock.now()
    exhausted = delivery.attempts >= settings.GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS
    if error is None:
        outcome, status, retry_in = AttemptOutcome.OK, DeliveryStatus.SENT, None
    elif error.permanent or exhausted:
        outcome, status, retry_in = AttemptOutcome.PERMANENT, DeliveryStatus.FAILED, None
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
    page_event(page, _("Could not reach %(who)s by %(kind)s: %(error)s")
               % {"who": delivery.user.get_username(), "kind": delivery.get_kind_display(),
                  "error": delivery.last_error or delivery.status}, delivery_id=delivery.pk)
    reachable = Delivery.objects.filter(page=page, step=delivery.step).exclude(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.CANCELLED])
    if not reachable.exists():
        page_escalate(page=page, from_step=delivery.step)
