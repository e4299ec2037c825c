"""The set-based burst (crisis/timers/burst.py) writes exactly what the ORM path writes, on PostgreSQL."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, PassedOccurrences, TimelineEvent
from crisis.playbooks.rolling import deadlines_create
from crisis.timers.breach import deadlines_breach_locked
from crisis.timers.burst import deadlines_breach_due_in_bulk
from tests.deadline_helpers import T0

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="the set-based burst is written for PostgreSQL"),
    pytest.mark.django_db,
]

NOW = T0 + timedelta(minutes=250)


def open_two(open_incident, at):
    """Two incidents in two zones, one with a surge pending, both with their golden four hours past."""
    at(5)
    shanghai = open_incident(first_public_signal_at=T0, severity=2)
    new_york = open_incident(first_public_signal_at=T0 + timedelta(minutes=1), severity=1,
                             time_zone="America/New_York")
    deadlines_create(deadlines=[Deadline(incident=shanghai, kind=DeadlineKind.SURGE, step_key="surge",
                                         name="Respond to the sentiment surge",
                                         due_at=T0 + timedelta(minutes=35, microseconds=123456))])
    return [shanghai, new_york]


def written(incidents) -> list:
    """What a sweep wrote for these incidents, without ids or the database's own clock."""
    record = []
    for incident in incidents:
        deadlines = Deadline.objects.filter(incident=incident).order_by("kind", "step_key", "occurrence")
        record.append([
            [(d.kind, d.step_key, d.occurrence, d.state, d.due_at, d.breached_at, d.version) for d in deadlines],
            sorted((b.deadline.step_key, b.deadline.occurrence, b.deadline_version, b.breached_at, b.is_on_arrival,
                    b.retracted_at, b.dispatched_at)
                   for b in Breach.objects.filter(incident=incident).select_related("deadline")),
            sorted((e.kind, e.occurred_at, e.recorded_at, e.body, e.source_url, e.is_pinned, e.actor_id,
                    {k: v for k, v in e.metadata.items() if k != "deadline_id"})
                   for e in TimelineEvent.objects.filter(incident=incident, metadata__state="breached")),
            sorted((p.step_key, p.first_occurrence, p.count, p.first_due_at, p.recurrence_seconds, p.is_before_logging)
                   for p in PassedOccurrences.objects.filter(incident=incident)),
        ])
    return record


def orm_sweep(now):
    with transaction.atomic():
        due = list(Deadline.objects.select_for_update().filter(state=DeadlineState.PENDING, due_at__lte=now)
                   .select_related("incident").order_by("due_at"))
        deadlines_breach_locked(deadlines=due, now=now)
    return len(due)


def test_it_writes_the_rows_the_orm_path_writes(open_incident, at):
    first = open_two(open_incident, at)
    at(250)
    by_orm = orm_sweep(NOW)
    second = open_two(open_incident, at)
    at(250)
    with transaction.atomic():
        by_set = deadlines_breach_due_in_bulk(now=NOW, limit=1000)
    assert by_orm == by_set > 10
    assert written(first) == written(second)


def test_it_takes_no_more_than_its_limit_earliest_first(open_incident, at):
    incidents = open_two(open_incident, at)
    at(250)
    with transaction.atomic():
        assert deadlines_breach_due_in_bulk(now=NOW, limit=3) == 3
    breached = Deadline.objects.filter(incident__in=incidents, state=DeadlineState.BREACHED)
    pending_due = Deadline.objects.filter(incident__in=incidents, state=DeadlineState.PENDING, due_at__lte=NOW)
    assert max(d.due_at for d in breached) <= min(d.due_at for d in pending_due)


def test_it_breaches_nothing_twice_when_swept_again(open_incident, at):
    open_two(open_incident, at)
    at(250)
    with transaction.atomic():
        deadlines_breach_due_in_bulk(now=NOW, limit=1000)
    with transaction.atomic():
        assert deadlines_breach_due_in_bulk(now=NOW, limit=1000) == 0
    assert Breach.objects.count() == Deadline.objects.filter(state=DeadlineState.BREACHED).count()
