"""Delivery: the webhook contract, retries with backoff, permanent failures, quiet hours."""

from datetime import time

import pytest

from crisis.oncall.models import ContactPreference, Delivery, DeliveryAttempt, DeliveryStatus, Page
from crisis.oncall.services import sending
from crisis.oncall.services.deliveries import deliveries_relay
from crisis.oncall.services.pages import page_acknowledge, page_trigger
from crisis.oncall.services.sending import backoff_seconds, delivery_attempt
from crisis.oncall.transports import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_signature

from .factories import ContactMethodFactory
from .receiver import DROP, STALL

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_webhooks(settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 0.3
    settings.GOLDEN_HOURS_DELIVERY_BACKOFF = 2.0


@pytest.fixture
def webhook_page(commanded_incident, people, receiver, fast_webhooks, at):
    """A page by hand to the approver, whose one contact method is the local receiver (an admin's internal one)."""
    ContactMethodFactory(user=people["approver"], target=receiver.url, secret="s3cret", reaches_internal_network=True)
    incident = commanded_incident()
    return page_trigger(incident=incident, actor=people["responder"], title="Legal sign-off needed",
                        target_user=people["approver"])


def attempt_every_minute(delivery, at, start=10, times=6):
    for minute in range(start, start + times):
        at(minute)
        delivery_attempt(delivery_id=delivery.pk)


def test_it_delivers_exactly_once_through_a_drop_a_timeout_and_a_500(webhook_page, receiver, at):
    receiver.script = [DROP, STALL, 500]
    delivery = Delivery.objects.get(page=webhook_page)
    attempt_every_minute(delivery, at)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT
    assert len(receiver.requests) == 4
    assert receiver.accepted == [delivery.idempotency_key]


def test_it_sends_the_same_idempotency_key_on_every_retry(webhook_page, receiver, at):
    receiver.script = [DROP, STALL, 500]
    delivery = Delivery.objects.get(page=webhook_page)
    attempt_every_minute(delivery, at)
    assert {r.key for r in receiver.requests} == {delivery.idempotency_key}


def test_it_records_every_attempt_with_its_outcome_and_code(webhook_page, receiver, at):
    receiver.script = [DROP, STALL, 500]
    delivery = Delivery.objects.get(page=webhook_page)
    attempt_every_minute(delivery, at)
    rows = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("outcome", "response_code"))
    assert rows == [("retryable", None), ("retryable", None), ("retryable", 500), ("ok", 200)]


def test_it_signs_the_body_with_the_endpoint_secret(webhook_page, receiver, at):
    at(10)
    delivery_attempt(delivery_id=Delivery.objects.get(page=webhook_page).pk)
    request = receiver.requests[0]
    expected = webhook_signature("s3cret", request.headers[TIMESTAMP_HEADER], request.body)
    assert request.headers[SIGNATURE_HEADER] == expected


def test_it_puts_the_acknowledge_link_in_the_payload(webhook_page, receiver, at):
    at(10)
    delivery_attempt(delivery_id=Delivery.objects.get(page=webhook_page).pk)
    assert "/oncall/ack/" in receiver.requests[0].json()["ack_url"]


def test_it_waits_for_the_backoff_before_retrying(webhook_page, receiver, at):
    receiver.script = [500]
    delivery = Delivery.objects.get(page=webhook_page)
    at(10)
    delivery_attempt(delivery_id=delivery.pk)
    result = delivery_attempt(delivery_id=delivery.pk)  # no time has passed
    assert (result.status, len(receiver.requests)) == ("early", 1)


def test_it_doubles_the_backoff_each_attempt(settings):
    settings.GOLDEN_HOURS_DELIVERY_BACKOFF = 2.0
    settings.GOLDEN_HOURS_DELIVERY_BACKOFF_MAX = 10.0
    assert [backoff_seconds(n) for n in range(1, 6)] == [2.0, 4.0, 8.0, 10.0, 10.0]


def test_it_gives_up_at_once_on_a_permanent_refusal(webhook_page, receiver, at):
    receiver.then = 410
    delivery = Delivery.objects.get(page=webhook_page)
    at(10)
    result = delivery_attempt(delivery_id=delivery.pk)
    assert (result.status, result.retry_in) == (DeliveryStatus.FAILED, None)


def test_it_gives_up_after_the_last_attempt(webhook_page, receiver, settings, at):
    settings.GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS = 3
    receiver.then = 503
    delivery = Delivery.objects.get(page=webhook_page)
    attempt_every_minute(delivery, at, times=5)
    assert (Delivery.objects.get(pk=delivery.pk).status, len(receiver.requests)) == (DeliveryStatus.FAILED, 3)


def test_it_escalates_when_nobody_at_the_level_can_be_reached(commanded_incident, policy, people, receiver,
                                                              fast_webhooks, at):
    from .helpers import recipients, sweep_and_dispatch

    ContactMethodFactory(user=people["responder"], target=receiver.url, reaches_internal_network=True)
    receiver.then = 404
    commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    delivery_attempt(delivery_id=Delivery.objects.get(page=page).pk)
    assert recipients(Page.objects.get(), step=1) == [people["commander"].username]


def test_it_does_not_send_what_was_acknowledged_before_it_went_out(webhook_page, people, receiver, at):
    page_acknowledge(page=webhook_page, actor=people["approver"])
    delivery = Delivery.objects.get(page=webhook_page)
    at(10)
    delivery_attempt(delivery_id=delivery.pk)
    assert (Delivery.objects.get(pk=delivery.pk).status, receiver.requests) == (DeliveryStatus.CANCELLED, [])


def test_it_sends_nothing_for_a_delivery_already_sent(webhook_page, receiver, at):
    delivery = Delivery.objects.get(page=webhook_page)
    at(10)
    delivery_attempt(delivery_id=delivery.pk)
    result = delivery_attempt(delivery_id=delivery.pk)  # a duplicated task
    assert (result.status, len(receiver.requests)) == (DeliveryStatus.SENT, 1)


def test_it_leaves_a_delivery_alone_while_another_worker_holds_its_lease(webhook_page, receiver, at):
    from crisis.oncall.services.sending import _claim

    delivery = Delivery.objects.get(page=webhook_page)
    now = at(10)
    _claim(delivery.pk, now)  # a worker took it and is sending
    result = delivery_attempt(delivery_id=delivery.pk)
    assert (result.status, receiver.requests) == ("busy", [])


def test_it_keeps_the_outcome_of_the_attempt_that_took_over_an_expired_lease(webhook_page, receiver, at):
    from crisis.oncall.services.sending import _claim, _record

    delivery = Delivery.objects.get(page=webhook_page)
    first, _status = _claim(delivery.pk, at(10))  # a worker that then hangs past its lease...
    at(20)
    delivery_attempt(delivery_id=delivery.pk)  # ...is overtaken by another, which sends it
    late = _record(first, error=None, code=200, started_at=at(21), latency_ms=1)
    assert (late.status, Delivery.objects.get(pk=delivery.pk).attempts) == ("superseded", 2)


def test_it_relays_a_delivery_whose_worker_died_once_the_lease_lapses(webhook_page, settings, at, monkeypatch):
    from crisis.oncall.services import deliveries as module
    from crisis.oncall.services.sending import _claim

    sent = []
    monkeypatch.setattr(module, "deliveries_send", sent.extend)
    delivery = Delivery.objects.get(page=webhook_page)
    _claim(delivery.pk, at(10))
    assert deliveries_relay(now=at(10.5)) == 0
    assert deliveries_relay(now=at(12)) == 1
    assert sent == [delivery.pk]


def test_it_holds_back_a_sev2_page_during_quiet_hours(commanded_incident, people, at):
    ContactPreference.objects.create(user=people["approver"], time_zone="Asia/Shanghai",
                                     quiet_start=time(23, 0), quiet_end=time(7, 0))
    incident = commanded_incident(severity=2)  # T0+5 min is 02:05 in Shanghai
    page = page_trigger(incident=incident, actor=people["responder"], title="FYI", target_user=people["approver"])
    assert Delivery.objects.get(page=page).status == DeliveryStatus.SUPPRESSED


def test_it_pages_through_quiet_hours_for_a_sev1(commanded_incident, people, at):
    ContactPreference.objects.create(user=people["approver"], time_zone="Asia/Shanghai",
                                     quiet_start=time(23, 0), quiet_end=time(7, 0))
    incident = commanded_incident(severity=1)
    page = page_trigger(incident=incident, actor=people["responder"], title="Now", target_user=people["approver"])
    assert Delivery.objects.get(page=page).status == DeliveryStatus.QUEUED


def test_it_pages_outside_quiet_hours(commanded_incident, people, at):
    ContactPreference.objects.create(user=people["approver"], time_zone="Asia/Shanghai",
                                     quiet_start=time(9, 0), quiet_end=time(18, 0))
    incident = commanded_incident(severity=2)
    page = page_trigger(incident=incident, actor=people["responder"], title="FYI", target_user=people["approver"])
    assert Delivery.objects.get(page=page).status == DeliveryStatus.QUEUED


def test_it_falls_back_to_the_console_for_someone_without_contact_methods(commanded_incident, people, at, caplog):
    incident = commanded_incident()
    page = page_trigger(incident=incident, actor=people["responder"], title="Console me",
                        target_user=people["approver"])
    delivery = Delivery.objects.get(page=page)
    with caplog.at_level("INFO", logger="crisis.oncall.console"):
        delivery_attempt(delivery_id=delivery.pk)
    assert (Delivery.objects.get(pk=delivery.pk).status, "Console me" in caplog.text) == (DeliveryStatus.SENT, True)


def test_it_refuses_to_follow_a_redirect_to_a_private_address(webhook_page, receiver, at):
    receiver.then = (307, "http://10.0.0.7/internal")
    at(10)
    result = delivery_attempt(delivery_id=Delivery.objects.get(page=webhook_page).pk)
    assert (result.status, len(receiver.requests)) == (DeliveryStatus.FAILED, 1)


def test_it_counts_loopback_private_and_link_local_addresses_as_private():
    from crisis.oncall.transports import address_is_private

    assert all(address_is_private(a) for a in ("127.0.0.1", "10.1.2.3", "169.254.1.1", "::1"))


def test_it_keeps_the_later_attempts_outcome_when_a_late_success_comes_back(webhook_page, receiver, at):
    from crisis.oncall.services.lanes import Outcome
    from crisis.oncall.services.sending import _claim, _record_sent

    delivery = Delivery.objects.get(page=webhook_page)
    first, _status = _claim(delivery.pk, at(10))  # a worker that then hangs past its lease...
    at(20)
    delivery_attempt(delivery_id=delivery.pk)  # ...is overtaken by another, which sends it
    sent_at = Delivery.objects.get(pk=delivery.pk).sent_at
    late = _record_sent([Outcome(first, None, 200, at(21), 1)])  # the first worker's success, recorded late
    assert late == {delivery.pk: sending.AttemptResult(status="superseded")}
    fresh = Delivery.objects.get(pk=delivery.pk)
    assert (fresh.status, fresh.attempts, fresh.sent_at) == (DeliveryStatus.SENT, 2, sent_at)
