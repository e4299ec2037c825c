"""Sending deliveries: claim the rows, send outside any transaction, record the outcome with a
compare-and-set on (status = sending, attempts = n).

A batch (a burst of breaches pages many people at once) is claimed in one transaction and sent on the
worker process's sending threads, in lanes per receiver (a contact method; breakers.py says why not per
host): up to SEND_LANES at once to a receiver in good health, one at a time to one that failed lately,
none to one whose circuit breaker is open (those deliveries fail over at once). Successes that come back
together are recorded in one transaction; each failure goes through the one-row path, which decides on
retry or escalation, and schedules the retry itself.

Slow receivers hold up nobody else. The caller waits at most ``patience`` seconds (a send task waits
GOLDEN_HOURS_DELIVERY_WAIT) and not at all for receivers already in trouble; a send still running then is
left to its lane, which records the outcome when the receiver answers or times out, the row staying
"sending" under its lease meanwhile. A receiver that hangs costs one sending thread for its timeouts,
never a worker process, and the messages queued behind it go to everybody else at once.

A worker killed mid-send leaves the rows "sending" with a lease; once the lease lapses the relay
sends them again, with the same Idempotency-Key, so the receiver can tell it is the same alert.
"""

import contextvars
import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock

from ..models import AttemptOutcome, ContactKind, Delivery, DeliveryAttempt, DeliveryStatus, PageState
from ..transports import MAX_REDIRECTS, TransportError, transport_for
from .breakers import Gate, breaker_failed, breaker_succeeded, breakers_gate
from .deliveries import delivery_retry_later

logger = logging.getLogger(__name__)

LEASE_SLACK = timedelta(seconds=30)
# Sends at once to one receiver in good health: a burst pages the one person on call many times over.
SEND_LANES = 8
# A delivery still waiting for a sending thread this long after its claim is given back and retried at
# once rather than sent late: its lease would lapse while it is still being sent.
START_WITHIN = timedelta(seconds=10)
# The status of a delivery whose send outlasted the caller's patience: its lane records the outcome.
IN_FLIGHT = "in flight"
NOT_TRIED_CIRCUIT_OPEN = "circuit open"
NOT_TRIED_LATE = "late"


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
    not_tried: str = ""  # why the receiver was not called: NOT_TRIED_CIRCUIT_OPEN or NOT_TRIED_LATE

    @property
    def counts_against_receiver(self) -> bool:
        """A failure worth retrying says the receiver is unwell; a refusal for good says nothing about it."""
        return self.error is not None and not self.error.permanent and not self.not_tried


def _elapsed_clock() -> float:
    """Seconds on a monotonic clock for waits and latencies. perf_counter, not time.monotonic, which tests
    that freeze the calendar (time-machine) freeze too: a wait measured on it would never end."""
    return time.perf_counter()


def attempt_seconds() -> float:
    """The longest one request of an attempt may take: connecting, then the slowest transport's read timeout."""
    return settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT + max(
        settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT, settings.GOLDEN_HOURS_CHAT_TIMEOUT, settings.GOLDEN_HOURS_EMAIL_TIMEOUT)


def lease_length() -> timedelta:
    """Started within START_WITHIN of the claim, then one request per redirect hop, then recording."""
    return timedelta(seconds=attempt_seconds()) * (1 + MAX_REDIRECTS) + LEASE_SLACK


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


def _send(delivery: Delivery) -> _Outcome:
    started_at = clock.now()
    started = _elapsed_clock()
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
    return _Outcome(delivery, error, code, started_at, int((_elapsed_clock() - started) * 1000))


class _Senders:
    """The worker process's sending threads, made on first use, and the receivers it has seen outlast a
    caller's patience lately (a forked worker child starts afresh: threads do not survive a fork)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None
        self.slow_until: dict[int, float] = {}

    def submit(self, fn, *args) -> None:
        with self.lock:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=settings.GOLDEN_HOURS_DELIVERY_THREADS,
                                               thread_name_prefix="delivery")
            pool = self.pool
        # Each lane runs in a copy of the caller's context, so clock.frozen_at() holds in the threads too.
        pool.submit(contextvars.copy_context().run, fn, *args).add_done_callback(_log_crash)

    def mark_slow(self, contact_ids: set[int]) -> None:
        until = _elapsed_clock() + attempt_seconds()
        with self.lock:
            self.slow_until.update(dict.fromkeys(contact_ids, until))

    def is_slow(self, contact_id: int | None) -> bool:
        with self.lock:
            return contact_id is not None and self.slow_until.get(contact_id, 0.0) > _elapsed_clock()

    def forget_slow(self, contact_id: int | None) -> None:
        with self.lock:
            self.slow_until.pop(contact_id, None)


def _log_crash(future) -> None:
    if future.exception() is not None:  # a bug: its deliveries stay "sending" until the relay takes them over
        logger.error("a sending lane crashed", exc_info=future.exception())


_senders = _Senders()
os.register_at_fork(after_in_child=_senders.__init__)  # start afresh: no pool, no memory


class _Receiver:
    """One receiver's share of a batch: its deliveries in order, and what its breaker lets us risk."""

    def __init__(self, contact_id: int | None, gate: Gate, *, troubled: bool) -> None:
        self.contact_id = contact_id
        self.gate = gate
        self.troubled = troubled
        self.failures_left = gate.failures_left
        self.queue: deque[Delivery] = deque()
        self.unfinished = 0
        # Its breaker row has failures to clear when a message gets through.
        self.breaker_dirty = gate.breaker is not None and gate.breaker.is_troubled

    @property
    def lanes(self) -> int:
        return 1 if self.troubled else min(SEND_LANES, len(self.queue))


class _Batch:
    """Deliveries being sent for one caller. Outcomes go back to the caller while it waits; once it stops
    waiting (``detached``), each lane records its own."""

    def __init__(self, receivers: list[_Receiver], *, wait_for_all: bool) -> None:
        self.receivers = receivers
        self.started = _elapsed_clock()
        self.done = threading.Condition()
        self.collected: list[_Outcome] = []
        self.waiting_for = sum(len(r.queue) for r in receivers if wait_for_all or not r.troubled)
        self.wait_for_all = wait_for_all
        self.detached = False

    def run_lane(self, receiver: _Receiver) -> None:
        while True:
            with self.done:
                if not receiver.queue:
                    return
                delivery = receiver.queue.popleft()
                circuit_open = receiver.failures_left <= 0
            if circuit_open:
                outcome = _not_tried(delivery, NOT_TRIED_CIRCUIT_OPEN)
            elif _elapsed_clock() - self.started > START_WITHIN.total_seconds():
                outcome = _not_tried(delivery, NOT_TRIED_LATE)
            else:
                outcome = _send(delivery)  # never raises: every error is an outcome
            self._finish(receiver, outcome)

    def _finish(self, receiver: _Receiver, outcome: _Outcome) -> None:
        if outcome.error is None:
            _senders.forget_slow(receiver.contact_id)
        with self.done:
            receiver.unfinished -= 1
            if receiver.contact_id is not None:  # the console (no contact method) has no breaker
                if outcome.error is None:
                    receiver.failures_left = settings.GOLDEN_HOURS_BREAKER_FAILURES
                elif outcome.counts_against_receiver:
                    receiver.failures_left -= 1
            if not self.detached:
                self.collected.append(outcome)
                if self.wait_for_all or not receiver.troubled:
                    self.waiting_for -= 1
                self.done.notify_all()
                return
        try:
            _record_outcomes([outcome], {receiver.contact_id: receiver})
        except Exception:  # the row stays "sending" and the relay sends it again once its lease lapses
            logger.exception("could not record the outcome of delivery %s", outcome.delivery.pk)
        finally:
            connection.close()  # this thread's own connection; sending threads are not request-scoped

    def wait(self, patience: float | None) -> tuple[list[_Outcome], set[int | None]]:
        """The outcomes that came back within ``patience`` (None: all of them, which the timeouts bound; the
        lease bounds it too, should a lane crash), and the receivers still busy."""
        if patience is None:
            patience = lease_length().total_seconds()
        deadline = _elapsed_clock() + patience
        with self.done:
            while self.waiting_for > 0:
                if (remaining := deadline - _elapsed_clock()) <= 0 or not self.done.wait(remaining):
                    break
            self.detached = True
            collected, self.collected = self.collected, []
            busy = {r.contact_id for r in self.receivers if r.unfinished}
        return collected, busy


def _not_tried(delivery: Delivery, why: str) -> _Outcome:
    if why == NOT_TRIED_CIRCUIT_OPEN:
        error = TransportError(_("Not tried: this receiver failed too many times in a row (its circuit is open)."),
                               permanent=True)
    else:
        error = TransportError(_("Not tried in time: every sending thread was busy."))
    return _Outcome(delivery, error, None, clock.now(), 0, not_tried=why)


def deliveries_attempt(*, delivery_ids: list[int], patience: float | None = None) -> dict[int, AttemptResult]:
    """Try each delivery once. Returns what happened to each and, for a failure worth retrying, in how
    many seconds it is tried again (the retry is scheduled here).

    ``patience``: the most seconds to wait for the receivers, and none at all for those already failing;
    a send still running then finishes in the background and records itself (its status here is
    IN_FLIGHT). None waits for every send."""
    now = clock.now()
    claimed, skipped = _claim_many(delivery_ids, now)
    results = {pk: AttemptResult(status=reason) for pk, reason in skipped.items()}
    if not claimed:
        return results
    receivers = _receivers_for(claimed, now)
    by_contact = {r.contact_id: r for r in receivers}
    outcomes = []
    # An open circuit needs no thread: those deliveries fail over right here.
    for receiver in receivers:
        if receiver.failures_left <= 0:
            outcomes += [_not_tried(d, NOT_TRIED_CIRCUIT_OPEN) for d in receiver.queue]
            receiver.queue.clear()
    sending = [r for r in receivers if r.queue]
    if sending:
        batch = _Batch(sending, wait_for_all=patience is None)
        for receiver in sending:
            receiver.unfinished = len(receiver.queue)
            for _lane in range(receiver.lanes):
                _senders.submit(batch.run_lane, receiver)
        came_back, busy = batch.wait(patience)
        outcomes += came_back
        _senders.mark_slow({pk for pk in busy if pk is not None and not by_contact[pk].troubled})
        in_flight = {d.pk for d in claimed} - {o.delivery.pk for o in outcomes}
        results |= {pk: AttemptResult(status=IN_FLIGHT) for pk in in_flight}
    return results | _record_outcomes(outcomes, by_contact)


def delivery_attempt(*, delivery_id: int, patience: float | None = None) -> AttemptResult:
    return deliveries_attempt(delivery_ids=[delivery_id], patience=patience)[delivery_id]


def _receivers_for(claimed: list[Delivery], now: datetime) -> list[_Receiver]:
    contact_ids = {d.contact_id for d in claimed if d.contact_id is not None}
    gates = breakers_gate(contact_ids=contact_ids, now=now, probe_for=lease_length())
    no_breaker = Gate(failures_left=settings.GOLDEN_HOURS_BREAKER_FAILURES)  # the console: nothing to break
    receivers: dict[int | None, _Receiver] = {}
    for delivery in claimed:
        contact_id = delivery.contact_id
        if contact_id not in receivers:
            gate = gates.get(contact_id, no_breaker)
            receivers[contact_id] = _Receiver(contact_id, gate, troubled=gate.troubled or _senders.is_slow(contact_id))
        receivers[contact_id].queue.append(delivery)
    return list(receivers.values())


def _record_outcomes(outcomes: list[_Outcome], receivers: dict[int | None, _Receiver]) -> dict[int, AttemptResult]:
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
    _breakers_tell(outcomes, receivers)
    for pk, result in results.items():
        if result.retry_in is not None:
            delivery_retry_later(delivery_id=pk, countdown=result.retry_in)
    return results


def _breakers_tell(outcomes: list[_Outcome], receivers: dict[int | None, _Receiver]) -> None:
    """In the order they came back: a failure worth retrying counts against its receiver, a success clears
    it (one write only when there was something to clear: the healthy path costs no query)."""
    now = clock.now()
    for o in outcomes:
        receiver = receivers.get(o.delivery.contact_id)
        if receiver is None or receiver.contact_id is None:
            continue
        if o.error is None:
            if receiver.breaker_dirty:
                breaker_succeeded(contact_id=receiver.contact_id, now=now)
                receiver.breaker_dirty = False
        elif o.counts_against_receiver:
            breaker_failed(contact_id=receiver.contact_id, now=now, error=o.error.message)
            receiver.breaker_dirty = True


def _release(delivery: Delivery) -> AttemptResult:
    """Give back a claim that was never sent: the attempt is not counted, and it is tried again at once."""
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING,
                                      attempts=delivery.attempts).update(
        status=DeliveryStatus.RETRYING, attempts=delivery.attempts - 1, lease_until=None,
        next_attempt_at=clock.now())
    return AttemptResult(status=DeliveryStatus.RETRYING, retry_in=0) if updated else AttemptResult(status="superseded")


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
    page_event(page, _("Could not reach %(who)s by %(kind)s: %(error)s")
               % {"who": delivery.user.get_username(), "kind": delivery.get_kind_display(),
                  "error": delivery.last_error or delivery.status}, delivery_id=delivery.pk)
    reachable = Delivery.objects.filter(page=page, step=delivery.step).exclude(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.CANCELLED])
    if not reachable.exists():
        page_escalate(page=page, from_step=delivery.step)
