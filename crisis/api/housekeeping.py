"""Forgetting what the API only needs to remember for a while, run by the engine's housekeeping.

Without this, every POST with an Idempotency-Key and every signed webhook call would leave a row
behind for ever.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import IdempotencyRecord, WebhookReceipt
from .views.webhooks import REPLAY_WINDOW

# A receipt only has to outlive the replay window on both sides of its timestamp; keep it well past that.
RECEIPT_KEEP = max(timedelta(hours=1), REPLAY_WINDOW * 2)
BATCH = 5000


def _purge(rows: models.QuerySet) -> int:
    # In batches, so a first run on a year of rows does not hold the engine's loop for long.
    ids = list(rows.values_list("pk", flat=True)[:BATCH])
    return rows.model.objects.filter(pk__in=ids).delete()[0] if ids else 0


def api_records_purge() -> int:
    """Delete idempotency records past their time to live and webhook receipts past any replay; returns how many.

    Both tables are stamped with the database's real time (auto_now_add), so this compares with real time.
    """
    now = timezone.now()
    ttl = timedelta(hours=settings.GOLDEN_HOURS_IDEMPOTENCY_TTL_HOURS)
    return (_purge(IdempotencyRecord.objects.filter(created_at__lt=now - ttl))
            + _purge(WebhookReceipt.objects.filter(received_at__lt=now - RECEIPT_KEEP)))
