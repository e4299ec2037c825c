"""A circuit breaker per receiver: it opens after N failures in a row, the page fails over instead of waiting on
it, and the first message after the cooldown probes it (half-open) and closes it again. Real HTTP receivers."""

from datetime import timedelta

import pytest

from crisis.oncall.models import (
    AttemptOutcome,
    BreakerState,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Page,
    ReceiverBreaker,
)
from crisis.oncall.services.breakers import breaker_probe_take, breakers_gate
from crisis.oncall.services.pages import page_trigger
from crisis.oncall.services.sending import deliveries_attempt, delivery_attempt

from .factories import ContactMethodFactory
from .helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def breaker_settings(settings):
    settings.GOLDEN_HOURS_BREAKER_FAILURES = 3
    settings.GOLDEN_HOURS_BREAKER_COOLDOWN = 30.0
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 0.3


@pytest.fixture
def contact(people, receiver):
    return ContactMethodFactory(user=people["approver"], target=receiver.url, reaches_internal_network=True)


@pytest.fixture
def page_approver(commanded_incident, people, contact):
    """Page the approver (one webhook: the receiver) by hand; returns the new delivery."""
    incident = commanded_incident()

    def _page(title: str = "Sign-off") -> Delivery:
        page = page_trigger(incident=incident, actor=people["responder"], title=title, target_user=people["approver"])
        return Delivery.objects.get(page=page)
    return _page


def breaker_of(contact) -> ReceiverBreaker:
    return ReceiverBreaker.objects.get(contact=contact)


def opened(contact, at, *, minute: float = 10, failures: int = 3) -> ReceiverBreaker:
    """The contact's breaker, opened at ``minute`` after ``failures`` failures in a row."""
    now = at(minute)
    return ReceiverBreaker.objects.create(contact=contact, state=BreakerState.OPEN, failures=failures, state_since=now,
                                          next_probe_at=now + timedelta(seconds=30), updated_at=now)


def fail_three_times(page_approver, receiver, at):
    receiver.then = 503
    for minute in (10, 11, 12):
        at(minute)
        delivery_attempt(delivery_id=page_approver(f"Page at {minute}").pk)


def test_it_opens_the_circuit_after_n_failures_in_a_row(page_approver, receiver, contact, at):
    fail_three_times(page_approver, receiver, at)
    breaker = breaker_of(contact)
    assert (breaker.state, breaker.failures, breaker.state_since) == (BreakerState.OPEN, 3, at(12))


def test_it_sets_the_next_probe_a_cooldown_after_opening(page_approver, receiver, contact, at):
    fail_three_times(page_approver, receiver, at)
    assert breaker_of(contact).next_probe_at == at(12) + timedelta(seconds=30)


def test_it_keeps_the_circuit_closed_below_n_failures_in_a_row(page_approver, receiver, contact, at):
    receiver.script = [503, 503, 200, 503, 503]  # a success in between starts the count again
    for minute in range(10, 15):
        at(minute)
        delivery_attempt(delivery_id=page_approver(f"Page at {minute}").pk)
    breaker = breaker_of(contact)
    assert (breaker.state, breaker.failures) == (BreakerState.CLOSED, 2)


def test_it_leaves_the_breaker_alone_on_a_refusal_for_good(page_approver, receiver, contact, at):
    receiver.then = 410
    for minute in (10, 11, 12):
        at(minute)
        delivery_attempt(delivery_id=page_approver(f"Page at {minute}").pk)
    assert not ReceiverBreaker.objects.filter(contact=contact).exists()


def test_it_does_not_call_a_receiver_whose_circuit_is_open(page_approver, receiver, contact, at):
    opened(contact, at)
    delivery = page_approver()
    at(10.25)  # before the next probe
    delivery_attempt(delivery_id=delivery.pk)
    assert receiver.requests == []


def test_it_fails_a_delivery_to_an_open_circuit_for_good_at_once(page_approver, contact, at):
    opened(contact, at)
    delivery = page_approver()
    at(10.25)
    result = delivery_attempt(delivery_id=delivery.pk)
    outcome = DeliveryAttempt.objects.get(delivery=delivery).outcome
    assert (result.status, result.retry_in, outcome) == (DeliveryStatus.FAILED, None, AttemptOutcome.CIRCUIT_OPEN)


def test_it_pages_the_next_level_when_the_only_receiver_at_a_level_is_open(commanded_incident, policy, people,
                                                                              receiver, at):
    contact = ContactMethodFactory(user=people["responder"], target=receiver.url, reaches_internal_network=True)
    commanded_incident()
    sweep_and_dispatch(at(16))
    opened(contact, at, minute=16)
    delivery_attempt(delivery_id=Delivery.objects.get(page=Page.objects.get()).pk)
    assert recipients(Page.objects.get(), step=1) == [people["commander"].username]


def test_it_stops_sending_within_a_batch_once_the_receiver_failed_n_times(page_approver, receiver, contact, at):
    receiver.then = 503
    ReceiverBreaker.objects.create(contact=contact, failures=1, state_since=at(9), updated_at=at(9))
    deliveries = [page_approver(f"Page {n}") for n in range(5)]
    at(10)
    deliveries_attempt(delivery_ids=[d.pk for d in deliveries])
    outcomes = sorted(DeliveryAttempt.objects.values_list("outcome", flat=True))
    assert len(receiver.requests) == 2  # one failure was known; two more made three
    assert outcomes == [AttemptOutcome.CIRCUIT_OPEN] * 3 + [AttemptOutcome.RETRYABLE] * 2


def test_it_sends_a_probe_once_the_cooldown_has_passed(page_approver, receiver, contact, at):
    opened(contact, at)
    delivery = page_approver()
    at(10.6)
    delivery_attempt(delivery_id=delivery.pk)
    assert (len(receiver.requests), Delivery.objects.get(pk=delivery.pk).status) == (1, DeliveryStatus.SENT)


def test_it_closes_the_circuit_when_the_probe_gets_through(page_approver, contact, at):
    opened(contact, at)
    delivery = page_approver()
    at(10.6)
    delivery_attempt(delivery_id=delivery.pk)
    breaker = breaker_of(contact)
    assert (breaker.state, breaker.failures, breaker.state_since) == (BreakerState.CLOSED, 0, at(10.6))


def test_it_opens_the_circuit_again_for_twice_as_long_when_the_probe_fails(page_approver, receiver, contact, at):
    receiver.then = 503
    opened(contact, at)
    delivery = page_approver()
    now = at(10.6)
    delivery_attempt(delivery_id=delivery.pk)
    breaker = breaker_of(contact)
    assert (breaker.state, breaker.failures, breaker.next_probe_at) == (BreakerState.OPEN, 4,
                                                                        now + timedelta(seconds=60))


def test_it_sends_the_rest_of_a_batch_after_the_probe_gets_through(page_approver, receiver, contact, at):
    opened(contact, at)
    deliveries = [page_approver(f"Page {n}") for n in range(3)]
    at(10.6)
    deliveries_attempt(delivery_ids=[d.pk for d in deliveries])
    assert len(receiver.accepted) == 3


def test_it_sends_nothing_more_in_a_batch_whose_probe_failed(page_approver, receiver, contact, at):
    receiver.then = 503
    opened(contact, at)
    deliveries = [page_approver(f"Page {n}") for n in range(3)]
    at(10.6)
    deliveries_attempt(delivery_ids=[d.pk for d in deliveries])
    assert len(receiver.requests) == 1


def test_it_marks_the_breaker_half_open_while_the_probe_is_out(contact, at):
    breaker = opened(contact, at)
    now = at(10.6)
    breakers_gate(contact_ids={contact.pk}, now=now, probe_for=timedelta(seconds=60))
    breaker = breaker_of(contact)
    assert (breaker.state, breaker.state_since, breaker.probe_until) == (BreakerState.HALF_OPEN, now,
                                                                         now + timedelta(seconds=60))


def test_it_lets_no_second_probe_out_while_one_is(contact, at):
    opened(contact, at)
    now = at(10.6)
    first = breakers_gate(contact_ids={contact.pk}, now=now, probe_for=timedelta(seconds=60))
    second = breakers_gate(contact_ids={contact.pk}, now=now, probe_for=timedelta(seconds=60))
    assert (first[contact.pk].probe, second[contact.pk].failures_left) == (True, 0)


def test_it_lets_another_message_probe_when_the_probe_lapsed(contact, at):
    opened(contact, at)
    breakers_gate(contact_ids={contact.pk}, now=at(10.6), probe_for=timedelta(seconds=60))  # its worker dies
    later = breakers_gate(contact_ids={contact.pk}, now=at(12), probe_for=timedelta(seconds=60))
    assert later[contact.pk].probe


def test_it_loses_the_probe_to_whoever_changed_the_breaker_first(contact, at):
    stale = opened(contact, at)
    at(10.6)
    assert breaker_probe_take(breaker=stale, now=at(10.6), probe_for=timedelta(seconds=60))
    assert not breaker_probe_take(breaker=stale, now=at(10.6), probe_for=timedelta(seconds=60))
