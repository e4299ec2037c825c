"""Circuit breakers, one per receiver (a contact method): stop calling a receiver that keeps failing.

Closed, a breaker counts failures worth retrying (timeouts, refused or dropped connections, 408/425/429,
5xx, a chat service saying no); a success resets the count. At GOLDEN_HOURS_BREAKER_FAILURES in a row it
opens: messages to the receiver are not tried but fail over at once, as a delivery that failed for good
does (sending.py), so the page reaches the next level instead of waiting on a receiver known to be down.
The first message after ``next_probe_at`` is sent as the probe (half-open): its success closes the
breaker, its failure opens it again for twice the cooldown (up to GOLDEN_HOURS_BREAKER_COOLDOWN_MAX).
Refusals for good (a 4xx, an address that is not allowed) say nothing about the receiver's health and
leave the breaker as it is.

Several workers record outcomes for one receiver at once, so every change is a compare-and-set on
``version``: a writer that loses reads the row again and decides afresh.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F

from ..models import BreakerState, ReceiverBreaker

logger = logging.getLogger(__name__)

# Rereads after a lost compare-and-set: each loss means somebody else changed the breaker, so a handful
# is plenty; a writer that still loses leaves the outcome to the others, who are recording the same story.
CAS_TRIES = 5
ERROR_LENGTH = 500


@dataclass(frozen=True)
class Gate:
    """What a batch may do with one receiver now.

    ``failures_left``: how many failures in a row it may still risk before it stops sending (0: the
    breaker is open, send nothing). ``troubled``: failed lately, so it is sent to one message at a time
    and not waited for. ``probe``: this batch holds the half-open probe.
    """

    failures_left: int
    troubled: bool = False
    probe: bool = False
    breaker: ReceiverBreaker | None = None


def breaker_cooldown(failures: int) -> timedelta:
    """The cooldown at the threshold, doubled for each failure past it (failed probes), capped."""
    extra = max(0, failures - settings.GOLDEN_HOURS_BREAKER_FAILURES)
    seconds = settings.GOLDEN_HOURS_BREAKER_COOLDOWN * 2 ** min(extra, 32)
    return timedelta(seconds=min(seconds, settings.GOLDEN_HOURS_BREAKER_COOLDOWN_MAX))


def breakers_gate(*, contact_ids: set[int], now: datetime, probe_for: timedelta) -> dict[int, Gate]:
    """One gate per receiver, in one query when all is well. An open breaker whose probe is due (or a
    half-open one whose probe lapsed: its worker died) is taken for a probe by compare-and-set, so two
    batches never probe the same receiver at once; the loser sends nothing."""
    threshold = settings.GOLDEN_HOURS_BREAKER_FAILURES
    rows = {b.contact_id: b for b in ReceiverBreaker.objects.filter(contact_id__in=contact_ids)}
    gates: dict[int, Gate] = {}
    for contact_id in contact_ids:
        breaker = rows.get(contact_id)
        if breaker is None:
            gates[contact_id] = Gate(failures_left=threshold)
        elif breaker.state == BreakerState.CLOSED:
            gates[contact_id] = Gate(failures_left=max(1, threshold - breaker.failures),
                                     troubled=breaker.failures > 0, breaker=breaker)
        elif _probe_due(breaker, now) and breaker_probe_take(breaker=breaker, now=now, probe_for=probe_for):
            gates[contact_id] = Gate(failures_left=1, troubled=True, probe=True, breaker=breaker)
        else:
            gates[contact_id] = Gate(failures_left=0, troubled=True, breaker=breaker)
    return gates


def _probe_due(breaker: ReceiverBreaker, now: datetime) -> bool:
    if breaker.state == BreakerState.OPEN:
        return breaker.next_probe_at is None or breaker.next_probe_at <= now
    return breaker.probe_until is None or breaker.probe_until <= now


def breaker_probe_take(*, breaker: ReceiverBreaker, now: datetime, probe_for: timedelta) -> bool:
    """open (probe due) -> half-open, held by the caller until ``now + probe_for``. True if this caller won."""
    changes = {"state": BreakerState.HALF_OPEN, "probe_until": now + probe_for, "updated_at": now,
               "version": F("version") + 1}
    if breaker.state == BreakerState.OPEN:
        changes["state_since"] = now
    won = ReceiverBreaker.objects.filter(pk=breaker.pk, version=breaker.version).update(**changes) == 1
    if won:
        logger.info("receiver %s: half-open, probing", breaker.contact_id)
    return won


def breaker_failed(*, contact_id: int, now: datetime, error: str) -> str | None:
    """Count a failure worth retrying. Returns "opened" if this call opened the breaker."""
    threshold = settings.GOLDEN_HOURS_BREAKER_FAILURES
    for _try in range(CAS_TRIES):
        breaker = _breaker_for(contact_id, now)
        if breaker.state == BreakerState.OPEN:
            return None  # an attempt that started before it opened: nothing new to learn
        failures = breaker.failures + 1
        changes = {"failures": failures, "last_error": error[:ERROR_LENGTH], "updated_at": now,
                   "version": F("version") + 1}
        opens = breaker.state == BreakerState.HALF_OPEN or failures >= threshold
        if opens:
            changes |= {"state": BreakerState.OPEN, "state_since": now, "probe_until": None,
                        "next_probe_at": now + breaker_cooldown(failures)}
        if ReceiverBreaker.objects.filter(pk=breaker.pk, version=breaker.version).update(**changes) == 1:
            if opens:
                logger.warning("receiver %s: circuit opened after %d failures in a row (%s)",
                               contact_id, failures, error)
                return "opened"
            return None
    return None


def breaker_succeeded(*, contact_id: int, now: datetime) -> str | None:
    """A message went through: the receiver is well. Returns "closed" if this call closed the breaker."""
    for _try in range(CAS_TRIES):
        breaker = ReceiverBreaker.objects.filter(contact_id=contact_id).first()
        if breaker is None or (breaker.state == BreakerState.CLOSED and breaker.failures == 0):
            return None
        closes = breaker.state != BreakerState.CLOSED
        changes = {"state": BreakerState.CLOSED, "failures": 0, "next_probe_at": None, "probe_until": None,
                   "updated_at": now, "version": F("version") + 1}
        if closes:
            changes["state_since"] = now
        if ReceiverBreaker.objects.filter(pk=breaker.pk, version=breaker.version).update(**changes) == 1:
            if closes:
                logger.info("receiver %s: circuit closed", contact_id)
                return "closed"
            return None
    return None


def _breaker_for(contact_id: int, now: datetime) -> ReceiverBreaker:
    """The receiver's breaker, created closed on its first failure; ``ignore_conflicts`` lets two first
    failures at once both go on to the compare-and-set, where one of them wins."""
    breaker = ReceiverBreaker.objects.filter(contact_id=contact_id).first()
    if breaker is None:
        ReceiverBreaker.objects.bulk_create(
            [ReceiverBreaker(contact_id=contact_id, state_since=now, updated_at=now)], ignore_conflicts=True)
        breaker = ReceiverBreaker.objects.get(contact_id=contact_id)
    return breaker
