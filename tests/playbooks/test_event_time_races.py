"""A sweep and a fact entered late, committing at once, on PostgreSQL: the verdict is the fact's."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from crisis.models import Breach, Deadline, DeadlineState, EventKind
from crisis.playbooks.satisfaction import deadline_record_met
from crisis.timers.sweeper import deadlines_breach_due
from tests.deadline_helpers import by_step

from .test_event_time import minutes
from .test_satisfaction import publish

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


def blocked_on_a_lock(application_name: str) -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps serving the first snapshot of pg_stat_activity.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
                       [application_name])
        return cursor.fetchone()[0] > 0


def in_thread(action, name: str):
    errors: list[BaseException] = []

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET application_name = %s", [name])
            action()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def wait_until(condition, seconds: float = 10) -> None:
    """Poll a condition on another connection; this synchronizes two transactions, it does not move time."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other transaction never got there"
        time.sleep(0.02)


def test_a_fact_that_waited_for_the_sweep_retracts_the_breach_it_committed(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(61)
    holding = by_step(incident)["holding-statement"]
    with transaction.atomic():
        Deadline.objects.select_for_update().get(pk=holding.pk)  # the sweep has the row
        entry, errors = in_thread(lambda: publish(incident, people, published_at=minutes(40)), "late-entry")
        wait_until(lambda: blocked_on_a_lock("late-entry"))
        assert deadlines_breach_due(now=minutes(61)) >= 1
    entry.join(20)
    assert not errors, errors
    holding.refresh_from_db()
    assert holding.state == DeadlineState.MET and holding.met_at == minutes(40)
    assert Breach.objects.get(deadline=holding).retracted_at is not None


def test_a_sweep_that_meets_a_locked_fact_leaves_it_to_the_fact(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(61)
    holding = by_step(incident)["holding-statement"]
    entered, release = threading.Event(), threading.Event()

    def late_entry():
        with transaction.atomic():
            Deadline.objects.select_for_update().get(pk=holding.pk)
            entered.set()
            release.wait(10)
            publish(incident, people, published_at=minutes(40))

    entry, errors = in_thread(late_entry, "late-entry")
    assert entered.wait(10)
    swept = set(Deadline.objects.filter(incident=incident, state=DeadlineState.PENDING, due_at__lte=minutes(61)))
    deadlines_breach_due(now=minutes(61))
    release.set()
    entry.join(20)
    assert not errors, errors
    holding.refresh_from_db()
    assert holding in swept
    assert holding.state == DeadlineState.MET
    assert not Breach.objects.filter(deadline=holding).exists()


def test_a_retraction_from_a_stale_copy_loses_and_writes_nothing(incident_at_t0, people, at):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(61))
    holding = by_step(incident)["holding-statement"]
    stale = Deadline.objects.get(pk=holding.pk)
    at(75)
    publish(incident, people, published_at=minutes(40))
    lines = incident.events.filter(kind=EventKind.DEADLINE).count()
    won = deadline_record_met(deadline=stale, incident=incident, happened_at=minutes(45), now=minutes(75),
                              event=None, actor=people["commander"])
    holding.refresh_from_db()
    assert not won
    assert holding.met_at == minutes(40)
    assert incident.events.filter(kind=EventKind.DEADLINE).count() == lines
