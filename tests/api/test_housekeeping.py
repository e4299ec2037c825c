"""The engine's housekeeping forgets idempotency records and webhook receipts once nobody can need them."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from crisis.api.housekeeping import api_records_purge
from crisis.api.models import IdempotencyRecord, WebhookReceipt
from crisis.api.tokens import webhook_secret_create

pytestmark = pytest.mark.django_db

T0 = "2026-03-01T02:00:00+00:00"


def _records(people, org):
    secret = webhook_secret_create(organization=org, actor=people["admin"], name="Listening tool")
    IdempotencyRecord.objects.create(user=people["responder"], key="retry-me", request_digest="d" * 64,
                                     status_code=201, response_body={"id": 1})
    WebhookReceipt.objects.create(secret=secret, signature="a" * 64)


def test_it_keeps_both_while_they_can_still_be_needed(people, org):
    with time_machine.travel(T0, tick=False) as traveller:
        _records(people, org)
        traveller.move_to(timezone.now() + timedelta(minutes=59))
        assert api_records_purge() == 0
    assert (IdempotencyRecord.objects.count(), WebhookReceipt.objects.count()) == (1, 1)


def test_it_forgets_receipts_after_an_hour_and_idempotency_records_after_a_day(people, org, settings):
    settings.GOLDEN_HOURS_IDEMPOTENCY_TTL_HOURS = 24
    with time_machine.travel(T0, tick=False) as traveller:
        _records(people, org)
        traveller.move_to(timezone.now() + timedelta(hours=2))
        assert api_records_purge() == 1
        assert (IdempotencyRecord.objects.count(), WebhookReceipt.objects.count()) == (1, 0)
        traveller.move_to(timezone.now() + timedelta(hours=23))
        assert api_records_purge() == 1
    assert IdempotencyRecord.objects.count() == 0


def test_it_purges_in_batches(people, org, monkeypatch):
    from crisis.api import housekeeping

    monkeypatch.setattr(housekeeping, "BATCH", 2)
    with time_machine.travel(T0, tick=False) as traveller:
        IdempotencyRecord.objects.bulk_create(
            IdempotencyRecord(user=people["responder"], key=f"k{n}", request_digest="d" * 64) for n in range(5))
        traveller.move_to(timezone.now() + timedelta(days=2))
        assert [api_records_purge() for _ in range(4)] == [2, 2, 1, 0]
