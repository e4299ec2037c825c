"""Sending threads in a worker process: a lane per receiver, and callers that do not wait on the slowest.

Deliveries claimed by a caller (sending.py) go to the lane of their receiver (a contact method; the console
has one too). Up to SEND_LANES threads drain a receiver in good health, one drains a receiver that is
failing, so a receiver that hangs ties up at most SEND_LANES threads until its first timeout and one after,
however many pages are queued for it; its messages wait in its own lane, not in front of anybody else's.
A delivery that could not start within START_WITHIN of its claim (every thread busy) is not sent: it is
given back, because its lease would lapse while it was still being sent.

The caller waits for its outcomes at most its patience, and not at all for receivers that are failing or
were slow lately (a send to them outlasted someone's patience in this process); what is still running then
is recorded by the thread that sent it, through the ``record`` the caller gave its Batch. Nothing here
touches the database but that late recording.
"""

import contextvars
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from crisis import clock

from ..models import ContactKind, Delivery
from ..transports import TransportError, transport_for
from .breakers import Gate

logger = logging.getLogger(__name__)

# Threads at once for one receiver in good health: a burst pages the one person on call many times over.
SEND_LANES = 8
# A delivery still waiting for a sending thread this long after its claim is given back and retried at
# once rather than sent late: its lease would lapse while it is still being sent.
START_WITHIN = timedelta(seconds=10)
# How long callers stop waiting for a receiver whose send outlasted someone's patience (a success ends it).
SLOW_FOR = timedelta(minutes=1)
MAX_LANES_KEPT = 1000
NOT_TRIED_CIRCUIT_OPEN = "circuit open"
NOT_TRIED_LATE = "late"


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    error: TransportError | None
    code: int | None
    started_at: datetime
    latency_ms: int
    not_tried: str = ""  # why the receiver was not called: NOT_TRIED_CIRCUIT_OPEN or NOT_TRIED_LATE
    after_failures: bool = False  # a success after failures this process saw: its breaker has some to clear

    @property
    def counts_against_receiver(self) -> bool:
        """A failure worth retrying says the receiver is unwell; a refusal for good says nothing about it."""
        return self.error is not None and not self.error.permanent and not self.not_tried


def elapsed_clock() -> float:
    """Seconds on a monotonic clock for waits and latencies. perf_counter, not time.monotonic, which tests
    that freeze the calendar (time-machine) freeze too: a wait measured on it would never end."""
    return time.perf_counter()


def send_one(delivery: Delivery) -> Outcome:
    started_at = clock.now()
    started = elapsed_clock()
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
        logger.exception("transport %s crashed on delivery %s", delivery.kind, delivery.pk,
                         extra={"incident_id": delivery.page.incident_id, "deadline_id": delivery.page.deadline_id})
        error = TransportError(str(exc))
    return Outcome(delivery, error, code, started_at, int((elapsed_clock() - started) * 1000))


def not_tried(delivery: Delivery, why: str) -> Outcome:
    if why == NOT_TRIED_CIRCUIT_OPEN:
        error = TransportError(_("Not tried: this receiver failed too many times in a row (its circuit is open)."),
                               permanent=True)
    else:
        error = TransportError(_("Not tried in time: every sending thread was busy."))
    return Outcome(delivery, error, None, clock.now(), 0, not_tried=why)


class _Lane:
    """One receiver's queue in this worker process, drained by up to SEND_LANES threads, by one while the
    receiver is failing: a receiver that hangs ties up at most SEND_LANES threads of the process until its
    first timeout, one after, however many pages are queued for it, and its messages wait in its own queue,
    not in front of anybody else's. A receiver merely slow (it outlasted a caller's patience) keeps its
    threads, but callers stop waiting for it."""

    def __init__(self, contact_id: int | None) -> None:
        self.contact_id = contact_id
        self.queue: deque[tuple[Delivery, Batch, bool]] = deque()
        self.running = 0
        self.failures_left = settings.GOLDEN_HOURS_BREAKER_FAILURES
        self.failing = False  # its breaker has failures on record, or this process has seen it fail since
        self.slow_until = 0.0  # a send to it outlasted a caller's patience: callers stop waiting for it

    def troubled(self) -> bool:
        """Not worth waiting for: failing, or slow lately."""
        return self.failing or self.slow_until > elapsed_clock()

    def threads_allowed(self) -> int:
        return 1 if self.failing else SEND_LANES

    def idle(self) -> bool:
        return not self.queue and not self.running and not self.troubled()


class _Senders:
    """The worker process's sending threads and its receivers' lanes, made on first use (a forked worker child
    starts afresh: threads do not survive a fork)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None
        self.lanes: dict[int | None, _Lane] = {}

    def troubled(self, contact_id: int | None, gate: Gate) -> bool:
        with self.lock:
            lane = self.lanes.get(contact_id)
            return gate.troubled or (lane is not None and lane.troubled())

    def send(self, batch: "Batch", contact_id: int | None, gate: Gate, deliveries: list[Delivery], *,
             waited: bool) -> None:
        with self.lock:
            if len(self.lanes) > MAX_LANES_KEPT:  # receivers remembered only for being slow once, long ago
                self.lanes = {key: lane for key, lane in self.lanes.items() if not lane.idle()}
            lane = self.lanes.setdefault(contact_id, _Lane(contact_id))
            if contact_id is not None:  # what the breaker says now is the freshest news
                lane.failures_left, lane.failing = gate.failures_left, gate.troubled
            lane.queue.extend((delivery, batch, waited) for delivery in deliveries)
            starts = max(0, min(lane.threads_allowed() - lane.running, len(lane.queue)))
            lane.running += starts
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=settings.GOLDEN_HOURS_DELIVERY_THREADS,
                                               thread_name_prefix="delivery")
            pool = self.pool
        for _thread in range(starts):
            # Each runs in a copy of the caller's context, so clock.frozen_at() holds in the threads too.
            pool.submit(contextvars.copy_context().run, self._drain, lane).add_done_callback(_log_crash)

    def _drain(self, lane: _Lane) -> None:
        while True:
            with self.lock:
                if not lane.queue or lane.running > lane.threads_allowed():
                    lane.running -= 1
                    if lane.idle() and self.lanes.get(lane.contact_id) is lane:
                        del self.lanes[lane.contact_id]
                    return
                delivery, batch, waited = lane.queue.popleft()
                circuit_open = lane.contact_id is not None and lane.failures_left <= 0
            if circuit_open:
                outcome = not_tried(delivery, NOT_TRIED_CIRCUIT_OPEN)
            elif elapsed_clock() - batch.started > START_WITHIN.total_seconds():
                outcome = not_tried(delivery, NOT_TRIED_LATE)
            else:
                outcome = send_one(delivery)  # never raises: every error is an outcome
            if lane.contact_id is not None:
                outcome = self._learn(lane, outcome)
            batch.finish(outcome, waited=waited)

    def _learn(self, lane: _Lane, outcome: Outcome) -> Outcome:
        """What the outcome says about the receiver, for the messages queued behind it."""
        with self.lock:
            if outcome.error is None and not outcome.not_tried:
                was_failing = lane.failing
                lane.failures_left, lane.failing, lane.slow_until = settings.GOLDEN_HOURS_BREAKER_FAILURES, False, 0
                return replace(outcome, after_failures=was_failing)
            if outcome.counts_against_receiver:
                lane.failures_left, lane.failing = lane.failures_left - 1, True
        return outcome

    def forget(self) -> None:
        with self.lock:
            self.lanes = {}  # lanes still draining keep their own reference and finish

    def mark_slow(self, contact_ids: set[int]) -> None:
        until = elapsed_clock() + SLOW_FOR.total_seconds()
        with self.lock:
            for contact_id in contact_ids:
                self.lanes.setdefault(contact_id, _Lane(contact_id)).slow_until = until


def _log_crash(future) -> None:
    if future.exception() is not None:  # a bug: its deliveries stay "sending" until the relay takes them over
        logger.error("a sending lane crashed", exc_info=future.exception())


_senders = _Senders()
os.register_at_fork(after_in_child=_senders.__init__)  # start afresh: no pool, no lanes


class Batch:
    """The deliveries one caller claimed. Their outcomes come back to it while it waits; once it stops waiting
    (``detached``), each is recorded by the thread that sent it."""

    def __init__(self, gates: dict[int | None, Gate], *,
                 record: Callable[[list[Outcome], dict[int | None, Gate]], object]) -> None:
        self.gates = gates
        self.record = record
        self.started = elapsed_clock()
        self.done = threading.Condition()
        self.collected: list[Outcome] = []
        self.waiting_for = 0
        self.unfinished: dict[int | None, int] = {}
        self.detached = False

    def expect(self, contact_id: int | None, count: int, *, waited: bool) -> None:
        with self.done:
            self.unfinished[contact_id] = self.unfinished.get(contact_id, 0) + count
            self.waiting_for += count if waited else 0

    def finish(self, outcome: Outcome, *, waited: bool) -> None:
        with self.done:
            self.unfinished[outcome.delivery.contact_id] -= 1
            if not self.detached:
                self.collected.append(outcome)
                self.waiting_for -= 1 if waited else 0
                self.done.notify_all()
                return
        try:
            self.record([outcome], self.gates)
        except Exception:  # the row stays "sending" and the relay sends it again once its lease lapses
            logger.exception("could not record the outcome of delivery %s", outcome.delivery.pk)
        finally:
            connection.close()  # this thread's own connection: sending threads are not request-scoped

    def wait(self, patience: float) -> tuple[list[Outcome], set[int]]:
        """The outcomes that came back within ``patience``, and the receivers that made it wait in vain."""
        deadline = elapsed_clock() + patience
        with self.done:
            while self.waiting_for > 0:
                if (remaining := deadline - elapsed_clock()) <= 0 or not self.done.wait(remaining):
                    break
            self.detached = True
            collected, self.collected = self.collected, []
            slow = {pk for pk, n in self.unfinished.items() if n and pk is not None and not self.gates[pk].troubled}
        return collected, slow


def lanes_send(batch: Batch, contact_id: int | None, gate: Gate, deliveries: list[Delivery], *,
               waited: bool) -> None:
    """Queue ``deliveries`` in their receiver's lane; ``waited``: the batch's caller waits for their outcomes."""
    batch.expect(contact_id, len(deliveries), waited=waited)
    _senders.send(batch, contact_id, gate, deliveries, waited=waited)


def receiver_troubled(contact_id: int | None, gate: Gate) -> bool:
    """Failing (its breaker says so) or slow lately (this process saw it outlast a caller's patience)."""
    return _senders.troubled(contact_id, gate)


def receivers_mark_slow(contact_ids: set[int]) -> None:
    _senders.mark_slow(contact_ids)


def receivers_forget() -> None:
    """Forget what this process learned about receivers (slow, failing): for tests, in which ids repeat."""
    _senders.forget()
