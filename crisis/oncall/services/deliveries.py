"""Deliveries: one row per (page, step, person, contact), queued here and handed to Celery; the
relay re-sends what got lost. Sending itself (claim, attempt, record) is in sending.py."""

import logging
import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from crisis.models import Severity
from crisis.timers.wording import hhmm

from ..links import ack_url
from ..models import (
    ContactKind,
    ContactMethod,
    ContactPreference,
    Delivery,
    DeliveryStatus,
    Page,
)

logger = logging.getLogger(__name__)

def is_quiet(preference: ContactPreference | None, moment: datetime) -> bool:
    """Inside the person's quiet hours (a window that may run across midnight)?"""
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return False
    local = moment.astimezone(zoneinfo.ZoneInfo(preference.time_zone)).time()
    start, end = preference.quiet_start, preference.quiet_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def recipient_language(user, page: Page) -> str:
    """What a paged person reads: their organization's language (nothing finer is known of a person yet)."""
    return page.organization.language or settings.LANGUAGE_CODE


def _message(page: Page, language: str) -> tuple[str, str]:
    """The subject and text a person receives, in their language (the page keeps its system lines)."""
    with translation.override(language):
        return _message_text(page)


def _message_text(page: Page) -> tuple[str, str]:
    severity = Severity(page.severity).label
    subject = _("[%(sev)s] %(title)s") % {"sev": severity.split(" ")[0], "title": page.text_title}
    body = page.text_body
    lines = [body] if body else []
    if page.incident_id is not None:
        lines.append(_("Incident: %(t)s (paged at %(at)s, %(tz)s)")
                     % {"t": page.incident.title, "at": hhmm(page.triggered_at, page.incident),
                        "tz": page.incident.time_zone})
    return subject[:300], "\n".join(lines)


def deliveries_create(*, page: Page, users: list, step: int, now: datetime) -> list[Delivery]:
    return deliveries_create_many(items=[(page, users, step)], now=now)


def deliveries_create_many(*, items: list[tuple[Page, list, int]], now: datetime) -> list[Delivery]:
    """For each (page, people, step): queue one delivery per active contact method of each person (the
    console if they have none); quiet hours hold back anything below SEV1. Sending starts when the
    caller's transaction commits."""
    if not items:
        return []
    user_ids = {user.pk for _page, users, _step in items for user in users}
    contacts: dict[int, list[ContactMethod]] = {}
    for contact in ContactMethod.objects.filter(user__in=user_ids, is_active=True).order_by("position", "id"):
        contacts.setdefault(contact.user_id, []).append(contact)
    preferences = {p.user_id: p for p in ContactPreference.objects.filter(user__in=user_ids)}
    rows = []
    for page, users, step in items:
        texts: dict[str, tuple[str, str]] = {}  # a burst pages many people in few languages
        for user in users:
            language = recipient_language(user, page)
            if language not in texts:
                texts[language] = _message(page, language)
            subject, body = texts[language]
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
    wanted = {(page.pk, step) for page, _users, step in items}
    queued = [pk for pk, page_id, step in Delivery.objects.filter(
        page__in=[page.pk for page, _users, _step in items], status=DeliveryStatus.QUEUED,
    ).values_list("pk", "page_id", "step") if (page_id, step) in wanted]
    transaction.on_commit(lambda: deliveries_send(queued))
    return rows


def deliveries_send(delivery_ids: list[int]) -> None:
    """Hand deliveries to Celery, a batch per task (sent in parallel by the worker). A failure to
    publish is logged: the relay finds queued rows later."""
    if not delivery_ids or not settings.GOLDEN_HOURS_SEND_TIMERS:
        return
    from ..tasks import deliveries_deliver

    size = settings.GOLDEN_HOURS_DELIVERY_BATCH
    for i in range(0, len(delivery_ids), size):
        try:
            deliveries_deliver.apply_async((delivery_ids[i:i + size],), retry=False)
        except Exception:  # broker down: deliveries_relay retries
            logger.warning("could not queue deliveries %s...; the relay will retry", delivery_ids[i], exc_info=True)
            return


def delivery_retry_later(*, delivery_id: int, countdown: float) -> None:
    """Send one delivery again after ``countdown`` seconds (a retry). A failure to publish is logged: the
    relay finds the row once its next attempt is overdue."""
    if not settings.GOLDEN_HOURS_SEND_TIMERS:
        return
    from ..tasks import delivery_send

    try:
        delivery_send.apply_async((delivery_id,), countdown=countdown, retry=False)
    except Exception:  # broker down: deliveries_relay retries
        logger.warning("could not schedule the retry of delivery %s; the relay will", delivery_id, exc_info=True)


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
