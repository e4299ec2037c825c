"""A real Celery worker killed mid-delivery: the delivery still arrives, and is accepted once."""

import pytest
from django.db import connection

from crisis import clock
from crisis.oncall.models import Delivery, DeliveryStatus, Page
from crisis.oncall.services.deliveries import deliveries_relay
from crisis.oncall.services.pages import page_trigger
from crisis.services.incidents import incident_open
from tests.timers.processes import database_url, wait_for

from .factories import ContactMethodFactory
from .processes import PagingStack, celery_producer, worker_test_marks
from .receiver import HOLD

pytestmark = worker_test_marks()


@pytest.fixture
def stack(tmp_path, monkeypatch, settings):
    stack = PagingStack(tmp_path, database_url(connection.settings_dict),
                        extra_env={"GOLDEN_HOURS_WEBHOOK_TIMEOUT": "10"})
    stack.clock_set(0)
    monkeypatch.setenv("GOLDEN_HOURS_CLOCK_FILE", str(stack.clock_file))  # this process reads the same clock
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 10
    try:
        stack.redis_start()
        with celery_producer(stack.redis_url, stack.queue):
            yield stack
    finally:
        stack.stop_all()


def test_it_delivers_once_after_the_worker_dies_mid_delivery(stack, receiver, org, people):
    receiver.script = [HOLD]  # the first request is processed, then the connection hangs...
    ContactMethodFactory(user=people["approver"], target=receiver.url, reaches_internal_network=True)
    stack.worker_start("first")
    incident = incident_open(organization=org, actor=people["responder"], title="Worker crash drill",
                             first_public_signal_at=clock.now(), commander=people["commander"])
    page_trigger(incident=incident, actor=people["responder"], title="Sign-off", target_user=people["approver"])
    wait_for(lambda: receiver.requests, what="the first worker to call the webhook")
    stack.worker_kill("first")  # ...and the worker dies before it hears back
    delivery = Delivery.objects.get(page=Page.objects.get())
    assert delivery.status == DeliveryStatus.SENDING

    stack.worker_start("second")
    stack.clock_set(600)  # past the dead worker's lease
    assert deliveries_relay(now=clock.now()) == 1
    wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT,
             what="the second worker to deliver")
    assert [r.key for r in receiver.requests] == [delivery.idempotency_key] * 2
    assert receiver.accepted == [delivery.idempotency_key]
