"""Slow receivers hold up nobody else: one person, four webhooks (one hangs, one fails, one drops the connection,
one is healthy), real HTTP receivers in threads. The send that hangs is left to finish in the background and
records itself; the caller returns with the healthy message delivered.

These tests let sending threads write to the database, so their rows must be committed (transaction=True)."""

import time

import pytest

from crisis.oncall.models import (
    AttemptOutcome,
    BreakerState,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    ReceiverBreaker,
)
from crisis.oncall.services.lanes import receivers_forget
from crisis.oncall.services.pages import page_trigger
from crisis.oncall.services.sending import IN_FLIGHT, deliveries_attempt
from tests.timers.processes import wait_for

from .factories import ContactMethodFactory
from .receiver import DROP, HOLD, Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def settled():
    """Each test starts with a process that knows nothing about its receivers (ids repeat from test to test),
    and sends left in the background finish (their receivers are released at teardown) before the database is
    emptied for the next test."""
    receivers_forget()
    yield
    wait_for(lambda: not Delivery.objects.filter(status=DeliveryStatus.SENDING).exists(),
             timeout=30, what="every background send to be recorded")


@pytest.fixture
def receivers():
    started = {"hangs": Receiver(then=HOLD).start(), "fails": Receiver(then=500).start(),
               "drops": Receiver(then=DROP).start(), "healthy": Receiver().start()}
    yield started
    for receiver in started.values():
        receiver.stop()


@pytest.fixture
def contacts(receivers, people):
    """The approver's four webhooks, the healthy one last (so it is not first in the batch either)."""
    return {name: ContactMethodFactory(user=people["approver"], target=receiver.url, position=position,
                                       reaches_internal_network=True)
            for position, (name, receiver) in enumerate(receivers.items())}


@pytest.fixture
def page_deliveries(contacts, open_incident, people):
    """Page the approver by hand: one delivery per webhook, by receiver name. The clock runs (no time-machine):
    these tests are about real waits."""
    def _page() -> dict[str, Delivery]:
        page = page_trigger(incident=open_incident(commander=people["commander"]), actor=people["responder"],
                            title="Legal sign-off", target_user=people["approver"])
        by_contact = {d.contact_id: d for d in Delivery.objects.filter(page=page)}
        return {name: by_contact[contact.pk] for name, contact in contacts.items()}
    return _page


def status_of(delivery: Delivery) -> str:
    return Delivery.objects.get(pk=delivery.pk).status


def attempt(deliveries: dict[str, Delivery], patience: float) -> dict[str, str]:
    results = deliveries_attempt(delivery_ids=[d.pk for d in deliveries.values()], patience=patience)
    return {name: results[d.pk].status for name, d in deliveries.items()}


def test_it_delivers_to_the_healthy_receiver_while_another_hangs(page_deliveries, receivers, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 60
    deliveries = page_deliveries()
    statuses = attempt(deliveries, patience=0.5)
    # The hung receiver is still holding its request (nothing released it): the others did not wait for it.
    assert (len(receivers["hangs"].requests), status_of(deliveries["hangs"])) == (1, DeliveryStatus.SENDING)
    assert statuses == {"hangs": IN_FLIGHT, "fails": DeliveryStatus.RETRYING, "drops": DeliveryStatus.RETRYING,
                        "healthy": DeliveryStatus.SENT}
    assert receivers["healthy"].accepted == [deliveries["healthy"].idempotency_key]
    receivers["hangs"].release.set()
    wait_for(lambda: status_of(deliveries["hangs"]) == DeliveryStatus.SENT, what="the late answer to be recorded")


def test_it_records_a_send_that_hung_until_its_timeout_as_a_failure_to_retry(page_deliveries, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 0.3
    deliveries = page_deliveries()
    attempt(deliveries, patience=0)
    wait_for(lambda: status_of(deliveries["hangs"]) == DeliveryStatus.RETRYING, what="the timeout to be recorded")
    recorded = DeliveryAttempt.objects.get(delivery=deliveries["hangs"])
    assert (recorded.outcome, recorded.error) == (AttemptOutcome.RETRYABLE, "The webhook did not answer within 0.3 s.")


def test_it_counts_a_send_that_hung_against_its_receiver(page_deliveries, contacts, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 0.3
    deliveries = page_deliveries()
    attempt(deliveries, patience=0)
    wait_for(lambda: ReceiverBreaker.objects.filter(contact=contacts["hangs"], failures=1).exists(),
             what="the timeout to be counted")


def test_it_does_not_wait_at_all_for_a_receiver_that_failed_lately(page_deliveries, receivers, contacts, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 60
    ReceiverBreaker.objects.create(contact=contacts["hangs"], failures=1, state_since=contacts["hangs"].created_at,
                                   updated_at=contacts["hangs"].created_at)
    deliveries = page_deliveries()
    started = time.perf_counter()
    statuses = attempt(deliveries, patience=30)
    assert time.perf_counter() - started < 10  # far less than the patience it was allowed
    assert (statuses["hangs"], statuses["healthy"]) == (IN_FLIGHT, DeliveryStatus.SENT)
    receivers["hangs"].release.set()
    wait_for(lambda: status_of(deliveries["hangs"]) == DeliveryStatus.SENT, what="the late answer to be recorded")


def test_it_clears_the_failures_of_a_receiver_when_its_late_answer_is_a_success(page_deliveries, receivers, contacts,
                                                                                 settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 60
    ReceiverBreaker.objects.create(contact=contacts["hangs"], failures=2, state_since=contacts["hangs"].created_at,
                                   updated_at=contacts["hangs"].created_at)
    deliveries = page_deliveries()
    attempt(deliveries, patience=0)
    receivers["hangs"].release.set()
    wait_for(lambda: ReceiverBreaker.objects.filter(contact=contacts["hangs"], state=BreakerState.CLOSED,
                                                    failures=0).exists(), what="the late success to clear it")


def test_it_sends_to_a_receiver_that_failed_lately_one_message_at_a_time(open_incident, people, receiver, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 0.3
    receiver.then = HOLD
    contact = ContactMethodFactory(user=people["approver"], target=receiver.url, reaches_internal_network=True)
    ReceiverBreaker.objects.create(contact=contact, failures=1, state_since=contact.created_at,
                                   updated_at=contact.created_at)
    incident = open_incident(commander=people["commander"])
    for n in range(3):
        page_trigger(incident=incident, actor=people["responder"], title=f"Page {n}", target_user=people["approver"])
    deliveries_attempt(delivery_ids=list(Delivery.objects.values_list("pk", flat=True)), patience=None)
    arrivals = [r.at for r in receiver.requests]
    # One lane: each request went out only after the one before it timed out.
    assert len(arrivals) == 3
    assert min(b - a for a, b in zip(arrivals, arrivals[1:], strict=False)) >= 0.25


def test_it_sends_to_a_healthy_receiver_in_parallel(open_incident, people, receiver, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 60
    receiver.then = HOLD
    ContactMethodFactory(user=people["approver"], target=receiver.url, reaches_internal_network=True)
    incident = open_incident(commander=people["commander"])
    for n in range(3):
        page_trigger(incident=incident, actor=people["responder"], title=f"Page {n}", target_user=people["approver"])
    deliveries_attempt(delivery_ids=list(Delivery.objects.values_list("pk", flat=True)), patience=0)
    wait_for(lambda: len(receiver.requests) == 3, what="three requests held at once")
    receiver.release.set()
    wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3, what="all three recorded")


def test_it_gives_back_a_delivery_that_could_not_start_in_time(page_deliveries, receivers, monkeypatch):
    from datetime import timedelta

    from crisis.oncall.services import lanes

    monkeypatch.setattr(lanes, "START_WITHIN", timedelta(seconds=-1))  # every sending thread "was busy"
    deliveries = page_deliveries()
    statuses = attempt(deliveries, patience=None)
    healthy = Delivery.objects.get(pk=deliveries["healthy"].pk)
    assert statuses["healthy"] == DeliveryStatus.RETRYING
    assert (healthy.attempts, healthy.attempt_log.count(), receivers["healthy"].requests) == (0, 0, [])


def test_it_ties_up_one_thread_for_a_failing_receiver_however_many_batches_queue_for_it(page_deliveries, receivers,
                                                                                        contacts, settings):
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 60
    ReceiverBreaker.objects.create(contact=contacts["hangs"], failures=1, state_since=contacts["hangs"].created_at,
                                   updated_at=contacts["hangs"].created_at)
    pages = [page_deliveries() for _n in range(3)]
    for deliveries in pages:  # three send tasks, one after the other, none waiting for the hung receiver
        attempt({"hangs": deliveries["hangs"]}, patience=0)
    attempt({"healthy": pages[0]["healthy"]}, patience=None)
    assert (len(receivers["hangs"].requests), len(receivers["healthy"].accepted)) == (1, 1)
    receivers["hangs"].release.set()
