"""A real Celery worker as the README runs it in production (one worker, two prefork processes, prefetch 1,
production timeouts): one person, four webhooks (one hangs, one fails twice per message, one drops the
connection, one is healthy). Every page reaches the healthy one within about two seconds, however long the
hung one holds its requests, and exactly once."""

import time

import pytest
from django.db import connection

from crisis import clock
from crisis.oncall.models import BreakerState, ReceiverBreaker
from crisis.oncall.services.pages import page_trigger
from crisis.services.incidents import incident_open
from tests.timers.processes import database_url, wait_for

from .factories import ContactMethodFactory
from .processes import PagingStack, celery_producer, worker_test_marks
from .receiver import DROP, HOLD, Receiver

pytestmark = worker_test_marks()

PROMPT = 2.0  # seconds from a page to its arrival at the healthy receiver


class FailsTwice(Receiver):
    """Answers 500 to the first two tries of each message, then 200."""

    def _next(self, item):
        with self.lock:
            self.requests.append(item)
            tries = sum(r.key == item.key for r in self.requests)
        return 500 if tries <= 2 else 200


@pytest.fixture
def stack(tmp_path, monkeypatch, settings):
    stack = PagingStack(tmp_path, database_url(connection.settings_dict))  # production timeouts: the defaults
    stack.clock_set(0)
    monkeypatch.setenv("GOLDEN_HOURS_CLOCK_FILE", str(stack.clock_file))
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    try:
        stack.redis_start()
        with celery_producer(stack.redis_url, stack.queue):
            yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def receivers():
    started = {"hangs": Receiver(then=HOLD).start(), "fails twice": FailsTwice().start(),
               "drops": Receiver(then=DROP).start(), "healthy": Receiver().start()}
    yield started
    for receiver in started.values():
        receiver.stop()


@pytest.fixture
def pager(org, people, receivers):
    for position, receiver in enumerate(receivers.values()):
        ContactMethodFactory(user=people["approver"], target=receiver.url, position=position,
                             reaches_internal_network=True)
    incident = incident_open(organization=org, actor=people["responder"], title="Slow receivers drill",
                             first_public_signal_at=clock.now(), commander=people["commander"])
    paged_at: dict[int, float] = {}

    def _page(count: int) -> None:
        """``count`` pages, one after the other (each is published to the worker as its transaction commits)."""
        for _n in range(count):
            started = time.time()
            page = page_trigger(incident=incident, actor=people["responder"], title=f"Page {len(paged_at)}",
                                target_user=people["approver"])
            paged_at[page.pk] = started
    _page.paged_at = paged_at
    return _page


def healthy_latencies(receivers, paged_at) -> list[float]:
    arrivals = {r.json()["page"]["id"]: r.at for r in receivers["healthy"].requests}
    return [arrivals[page_id] - started for page_id, started in paged_at.items()]


def test_it_pages_the_healthy_receiver_within_two_seconds_while_another_hangs(stack, receivers, pager):
    stack.worker_start("worker", concurrency=2, pool="prefork")
    hangs = receivers["hangs"]

    hung = ReceiverBreaker.objects.filter(contact__target=hangs.url)

    pager(4)  # while nothing is known about any receiver
    wait_for(lambda: hung.filter(failures__gte=1).exists(), timeout=60, what="the hung receiver's first timeout")
    pager(4)  # while the hung one is failing, retried and holding requests
    wait_for(lambda: ReceiverBreaker.objects.filter(state=BreakerState.OPEN).count() >= 2, timeout=90,
             what="the hung and the dropping receivers' circuits to open")
    pager(4)  # with their circuits open
    wait_for(lambda: len(receivers["healthy"].accepted) == 12, timeout=30, what="every page at the healthy receiver")

    latencies = healthy_latencies(receivers, pager.paged_at)
    print("healthy receiver latency (s):", " ".join(f"{s:.3f}" for s in sorted(latencies)))
    assert max(latencies) < PROMPT
    assert len(receivers["healthy"].requests) == 12  # exactly once each
