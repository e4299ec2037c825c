"""Deliveries: one row per (page, step, person, contact); attempts claim the row, send outside any
transaction, and record the outcome with a compare-and-set on (status = sending, attempts = n).

A worker killed mid-send leaves the row "sending" with a lease; once the lease lapses the relay
sends it again, with the same Idempotency-Key, so the receiver can tell it is the same alert.
"""

import logging
import time
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Severity
from crisis.timers.wording import hhmm

from ..links import ack_url
from ..models import (
    AttemptOutcome,
    ContactKind,
    ContactMethod,
    ContactPreference,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Page,
    PageState,
)
from ..transports import TransportError, transport_for

logger = logging.getLogger(__name__)

LEASE_SLACK = timedelta(seconds=30)


def is_quiet(preference: ContactPreference | None, moment: datetime) -> bool:
    """Inside the person's quiet hours (a window that may run across midnight)?"""
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return False
    local = moment.astimezone(zoneinfo.ZoneInfo(preference.time_zone)).time()
    start, end = preference.quiet_start, preference.quiet_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _message(page: Page) -> tuple[str, str]:
    severity = Severity(page.severity).label
    subject = _("[%(sev)s] %(title)s") % {"sev": severity.split(" ")[0], "title": page.title}
    lines = [page.body] if page.body else []
    if page.incident_id is not None:
        lines.append(_("Incident: %(t)s (paged at %(at)s, %(tz)s)")
                     % {"t": page.incident.title, "at": hhmm(page.triggered_at, page.incident),
                        "tz": page.incident.time_zone})
    return subject[:300], "\n".join(lines)


def deliveries_create(*, page: Page, users: list, step: int, now: datetime) -> list[Delivery]:
    """Queue one delivery per active contact method of each person (the console if they have none);
    quiet hours hold back anything below SEV1. Sending starts when the caller's transaction commits."""
    contacts: dict[int, list[ContactMethod]] = {}
    for contact in ContactMethod.objects.filter(user__in=users, is_active=True).order_by("position", "id"):
        contacts.setdefault(contact.user_id, []).append(contact)
    preferences = {p.user_id: p for p in ContactPreference.objects.filter(user__in=users)}
    subject, body = _message(page)
    rows = []
    for user in users:
        quiet = page.severity != Severity.SEV1 and is_quiet(preferences.get(user.pk), now)
        channels = [(str(c.pk), c.kind, c) for c in contacts.get(user.pk, [])]
        if not channels and settings.GOLDEN_HOURS_CONSOLE_FALLBACK:
            channels = [("console", ContactKind.CONSOLE, None)]
        link = ack_url(page_id=page.pk, user_id=user.pk)
        for channel_key, kind, contact in channels:
            rows.append(Delivery(
                page=page, user=user, contact=contact, channel_key=channel_key, kind=kind, step=step,
                status=DeliveryStatus.SUPPRESSED if quiet else DeliveryStatus.QUEUED,
                idempotency_key=uuid.uuid4().hex, subject=subject, body=body, ack_url=link,
                next_attempt_at=None if quiet else now, created_at=now,
            ))
    # ignore_conflicts: the same step paged twice (a duplicated path) keeps the first set of rows.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    queued = list(Delivery.objects.filter(page=page, step=step, status=DeliveryStatus.QUEUED)
                  .values_list("pk", flat=True))
    transaction.on_commit(lambda: deliveries_send(queued))
    return rows


def deliveries_send(delivery_ids: list[int]) -> None:
    """Hand deliveries to Celery. A failure to publish is logged: the relay finds queued rows later."""
    if not delivery_ids or not settings.GOLDEN_HOURS_SEND_TIMERS:
        return
    from ..tasks import delivery_send

    for pk in delivery_ids:
        try:
            delivery_send.apply_async((pk,), retry=False)
        except Exception:  # broker down: deliveries_relay retries
            logger.warning("could not queue delivery %s; the relay will retry", pk, exc_info=True)
            return


@dataclass(frozen=True)
class AttemptResult:
    status: str
    retry_in: float | None = None


def backoff_seconds(attempt: int) -> float:
    """Exponential: base, 2 x base, 4 x base ... capped."""
    return min(settings.GOLDEN_HOURS_DELIVERY_BACKOFF * 2 ** (attempt - 1), settings.GOLDEN_HOURS_DELIVERY_BACKOFF_MAX)


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery | None, str]:
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",))
                    .select_related("page", "page__incident", "contact", "user").filter(pk=delivery_id).first())
        if delivery is None:
            return None, "missing"
        if delivery.status not in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.RETRYING):
            return None, delivery.status
        if delivery.status == DeliveryStatus.SENDING and delivery.lease_until and delivery.lease_until > now:
            return None, "busy"  # another worker is sending it right now
        if delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None, "early"  # the chain that scheduled the retry will come back for it
        if delivery.page.state != PageState.TRIGGERED:
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
            return None, DeliveryStatus.CANCELLED
        lease = now + timedelta(seconds=settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT) * (1 + 3) + LEASE_SLACK
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1,
                                                      lease_until=lease)
        delivery.status, delivery.attempts, delivery.lease_until = DeliveryStatus.SENDING, delivery.attempts + 1, lease
        return delivery, DeliveryStatus.SENDING


def delivery_attempt(*, delivery_id: int) -> AttemptResult:
    """Try once to deliver. Returns what happened and, for a failure worth retrying, in how many seconds."""
    delivery, status = _claim(delivery_id, clock.now())
    if delivery is None:
        return AttemptResult(status=status)
    started_at = clock.now()
    started = time.monotonic()
    error: TransportError | None = None
    code = None
    try:
        result = transport_for(delivery.kind).notify(delivery.page, delivery)
        code = result.response_code
    except TransportError as exc:
        error, code = exc, exc.response_code
    except Exception as exc:  # a bug or an unexpected library error: recorded and retried, not lost
        logger.exception("transport %s crashed on delivery %s", delivery.kind, delivery.pk)
        error = TransportError(str(exc))
    latency_ms = int((time.monotonic() - started) * 1000)
    return _record(delivery, error=error, code=code, started_at=started_at, latency_ms=latency_ms)


@transaction.atomic
def _record(delivery: Delivery, *, error: "TransportError | None", code, started_at, latency_ms) -> AttemptResult:
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
    from .pages import _page_event, page_escalate

    page = delivery.page
    _page_event(page, _("Could not reach %(who)s by %(kind)s: %(error)s")
                % {"who": delivery.user.get_username(), "kind": delivery.get_kind_display(),
                   "error": delivery.last_error or delivery.status}, delivery_id=delivery.pk)
    reachable = Delivery.objects.filter(page=page, step=delivery.step).exclude(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.CANCELLED])
    if not reachable.exists():
        page_escalate(page=page, from_step=delivery.step)


def deliveries_relay(*, now: datetime, older_than: float | None = None, limit: int = 500) -> int:
    """Safety net: re-send deliveries whose message was lost (broker down, worker killed mid-send)."""
    grace = timedelta(seconds=settings.GOLDEN_HOURS_RELAY_AFTER if older_than is None else older_than)
    # Uses the partial index delivery_open.
    stale = list(Delivery.objects.filter(
        Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRYING], next_attempt_at__lte=now - grace)
        | Q(status=DeliveryStatus.SENDING, lease_until__lte=now)
    ).values_list("pk", flat=True)[:limit])
    deliveries_send(stale)
    return len(stale)
