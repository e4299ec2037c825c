"""Real concurrency on PostgreSQL: two senders changing one receiver's circuit breaker at the same moment.
Every change is a compare-and-set on the breaker's version, so exactly one of them makes each transition."""

import threading
from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from crisis.oncall.models import BreakerState, ReceiverBreaker
from crisis.oncall.services.breakers import breaker_failed, breaker_succeeded, breakers_gate

from .factories import ContactMethodFactory

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 10  # each round races afresh; the interleavings differ from one to the next


def race(*actions) -> list:
    """Run the actions at once, each on its own connection; their return values, in the order given."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)
    failures: list[BaseException] = []

    def run(index, action):
        try:
            barrier.wait(10)
            results[index] = action()
        except BaseException as exc:  # a database error is a defect, not a lost race
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures, f"a racing sender failed instead of winning or losing cleanly: {failures!r}"
    return results


@pytest.fixture
def breaker(people, settings):
    settings.GOLDEN_HOURS_BREAKER_FAILURES = 3
    contact = ContactMethodFactory(user=people["approver"])
    now = timezone.now()
    return ReceiverBreaker.objects.create(contact=contact, state_since=now, updated_at=now)


def twice(service, **kwargs) -> list:
    """Two senders calling ``service`` with the same arguments at the same moment."""
    return race(*[partial(service, **kwargs)] * 2)


def reset(breaker, **fields) -> None:
    ReceiverBreaker.objects.filter(pk=breaker.pk).update(**fields)


def test_it_lets_exactly_one_of_two_failing_senders_open_the_circuit(breaker):
    for _round in range(ROUNDS):
        reset(breaker, state=BreakerState.CLOSED, failures=2)
        now = timezone.now()
        results = twice(breaker_failed, contact_id=breaker.contact_id, now=now, error="503")
        assert sorted(results, key=str) == [None, "opened"]
        assert ReceiverBreaker.objects.get(pk=breaker.pk).state == BreakerState.OPEN


def test_it_lets_exactly_one_of_two_succeeding_senders_close_the_circuit(breaker):
    for _round in range(ROUNDS):
        now = timezone.now()
        reset(breaker, state=BreakerState.HALF_OPEN, failures=3, probe_until=now + timedelta(minutes=1))
        results = twice(breaker_succeeded, contact_id=breaker.contact_id, now=now)
        assert sorted(results, key=str) == [None, "closed"]
        assert ReceiverBreaker.objects.get(pk=breaker.pk).failures == 0


def test_it_lets_exactly_one_of_two_batches_take_the_probe(breaker):
    for _round in range(ROUNDS):
        now = timezone.now()
        reset(breaker, state=BreakerState.OPEN, failures=3, next_probe_at=now - timedelta(seconds=1))
        gates = twice(breakers_gate, contact_ids={breaker.contact_id}, now=now, probe_for=timedelta(minutes=1))
        assert sorted(g[breaker.contact_id].probe for g in gates) == [False, True]


def test_it_counts_every_failure_of_two_senders_below_the_threshold(breaker, settings):
    settings.GOLDEN_HOURS_BREAKER_FAILURES = 10
    for _round in range(ROUNDS):
        reset(breaker, state=BreakerState.CLOSED, failures=0)
        now = timezone.now()
        twice(breaker_failed, contact_id=breaker.contact_id, now=now, error="timeout")
        assert ReceiverBreaker.objects.get(pk=breaker.pk).failures == 2
