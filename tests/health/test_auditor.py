"""The auditor: not the engine, it breaches what a dead engine left pending past a margin, exactly once, and says so."""

import logging
from datetime import timedelta
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crisis.health.auditor import deadlines_audit_overdue
from crisis.models import AuditEntry, Breach, Deadline, DeadlineState, EventKind, TimelineEvent
from crisis.timers.sweeper import deadlines_breach_due
from tests.factories import IncidentFactory
from tests.timers.outcomes import assert_breached_exactly_once, assert_never_breached
from tests.timers.processes import database_url

pytestmark = pytest.mark.django_db

MARGIN = timedelta(minutes=2)


@pytest.fixture
def incident():
    return IncidentFactory()


def pending(incident, key: str, *, due_ago: timedelta) -> Deadline:
    return Deadline.objects.create(incident=incident, step_key=key, name=f"Step {key}",
                                   due_at=timezone.now() - due_ago)


def test_it_breaches_deadlines_overdue_beyond_the_margin(incident):
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    caught = deadlines_audit_overdue(margin=MARGIN)
    assert caught == [late.pk]
    assert_breached_exactly_once([late.pk])


def test_it_leaves_deadlines_overdue_within_the_margin_and_future_ones_to_the_engine(incident):
    just_due = pending(incident, "just-due", due_ago=timedelta(seconds=30))
    future = pending(incident, "future", due_ago=-timedelta(hours=1))
    assert deadlines_audit_overdue(margin=MARGIN) == []
    assert_never_breached([just_due.pk, future.pk])


def test_it_finds_nothing_on_an_empty_database():
    assert deadlines_audit_overdue(margin=MARGIN) == []


def test_it_reports_what_it_caught_in_the_timeline_the_audit_log_and_the_log(incident, caplog):
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    with caplog.at_level(logging.WARNING, logger="crisis.health.auditor"):
        deadlines_audit_overdue(margin=MARGIN)
    note = TimelineEvent.objects.get(incident=incident, kind=EventKind.NOTE)
    assert note.metadata["caught_by"] == "auditor"
    assert note.metadata["deadline_id"] == late.pk
    assert note.body.startswith("The auditor caught Step late: still pending 10 min after it was due at")
    entry = AuditEntry.objects.get(action="deadline.breach_by_auditor")
    assert (entry.object_id, entry.via, entry.organization_id) == (str(late.pk), "auditor", incident.organization_id)
    assert [r.deadline_id for r in caplog.records] == [late.pk]
    assert f"auditor caught deadline {late.pk} of incident {incident.pk}" in caplog.text


def test_it_pages_through_the_breach_outbox_like_the_engine(incident):
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    deadlines_audit_overdue(margin=MARGIN)
    breach = Breach.objects.get(deadline=late)
    assert breach.breached_at == late.due_at
    assert breach.is_on_arrival is False


def test_it_catches_nothing_the_engine_already_breached(incident):
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    deadlines_breach_due(now=timezone.now())
    assert deadlines_audit_overdue(margin=MARGIN) == []
    assert_breached_exactly_once([late.pk])
    assert not TimelineEvent.objects.filter(kind=EventKind.NOTE, metadata__caught_by="auditor").exists()


def test_it_catches_each_deadline_once_when_run_twice(incident):
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    assert deadlines_audit_overdue(margin=MARGIN) == [late.pk]
    assert deadlines_audit_overdue(margin=MARGIN) == []
    assert_breached_exactly_once([late.pk])


def test_it_runs_as_a_management_command(incident):
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    out = StringIO()
    call_command("audit_deadlines", "--margin", "120", stdout=out)
    assert out.getvalue().strip() == f"auditor caught 1 deadline(s): [{late.pk}]"
    out = StringIO()
    call_command("audit_deadlines", stdout=out)
    assert out.getvalue().strip() == "auditor caught 0 deadline(s)"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_loses_the_race_to_an_engine_holding_the_row_and_the_deadline_is_breached_once(incident):
    """The engine comes back at the same moment: it holds the row (its sweep's FOR UPDATE) when the auditor looks.
    The auditor skips it rather than wait; the engine's breach commits; the auditor's next run finds nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    late = pending(incident, "late", due_ago=timedelta(minutes=10))
    other = pending(incident, "other", due_ago=timedelta(minutes=10))
    with psycopg.connect(database_url(connection.settings_dict).replace("postgres://", "postgresql://")) as engine:
        engine.execute("SELECT id FROM crisis_deadline WHERE id = %s FOR UPDATE", [late.pk])
        assert deadlines_audit_overdue(margin=MARGIN) == [other.pk]  # the held row is not waited for
        engine.rollback()
    deadlines_breach_due(now=timezone.now())  # the engine's sweep
    assert deadlines_audit_overdue(margin=MARGIN) == []
    assert_breached_exactly_once([late.pk, other.pk])
    assert Deadline.objects.get(pk=late.pk).state == DeadlineState.BREACHED
    caught = TimelineEvent.objects.filter(kind=EventKind.NOTE, metadata__caught_by="auditor")
    assert list(caught.values_list("metadata__deadline_id", flat=True)) == [other.pk]
