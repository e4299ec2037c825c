"""A resolve racing the dispatch of a breach, on PostgreSQL: no page may outlive its incident.

Dispatch reads the incident as open, then opens its page; the resolve's clean-up resolves the pages
that exist when it runs. Each test stops one side at the worst moment (threads and events, no sleeps)
and lets the other commit.
"""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from crisis.models import Breach, DeadlineKind, DeadlineState, Incident
from crisis.oncall import dispatch
from crisis.oncall.models import Delivery, DeliveryStatus, Page, PageState
from crisis.services.incidents import incident_transition
from crisis.services.timeline import timeline_event_append
from crisis.timers import tasks
from crisis.timers.sweeper import deadlines_breach_due

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


class Paused:
    """Wraps ``dispatch.pages_open`` so the dispatching thread stops before or after it, until told to go on."""

    def __init__(self, monkeypatch, *, before: bool):
        self.reached, self.go = threading.Event(), threading.Event()
        real = dispatch.pages_open

        def paused(*, specs):
            if before:
                self.reached.set()
                assert self.go.wait(20)
                return real(specs=specs)
            opened = real(specs=specs)
            self.reached.set()
            assert self.go.wait(20)
            return opened

        monkeypatch.setattr(dispatch, "pages_open", paused)


class InThread(threading.Thread):
    """Runs ``action`` on its own database connection; keeps what it raised and its server process id."""

    def __init__(self, action):
        super().__init__()
        self.action, self.errors, self.backend_pid = action, [], threading.Event()
        self.pid: int | None = None
        self.start()

    def run(self) -> None:
        try:
            connection.ensure_connection()
            self.pid = connection.connection.info.backend_pid
            self.backend_pid.set()
            self.action()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            connection.close()

    def blocked_on_a_lock(self) -> bool:
        """Waiting for a lock another transaction holds? Polled (the clock is frozen, so by count, not time)."""
        assert self.backend_pid.wait(20)
        for _ in range(1000):
            with connection.cursor() as cursor:
                cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [self.pid])
                if cursor.fetchone()[0]:
                    return True
            if not self.is_alive():
                return False
            threading.Event().wait(0.01)
        return False


def resolve(incident: Incident, actor) -> None:
    incident_transition(incident=Incident.objects.get(pk=incident.pk), actor=actor, to_status="resolved",
                        note="Recall announced")


def test_it_opens_no_page_when_the_resolve_commits_between_reading_the_incident_and_opening_its_page(
        commanded_incident, policy, people, at, monkeypatch):
    incident = commanded_incident()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()
    paused = Paused(monkeypatch, before=True)
    worker = InThread(lambda: tasks.breaches_dispatch([breach.pk]))
    assert paused.reached.wait(20)  # the dispatch has read the incident as open

    try:
        resolve(incident, people["commander"])  # commits: its clean-up finds no page yet
    finally:
        paused.go.set()
        worker.join(20)

    assert not worker.errors
    assert not Page.objects.exists()
    assert not Delivery.objects.exists()
    assert not incident.deadlines.filter(kind=DeadlineKind.ESCALATION).exists()
    assert Breach.objects.get().dispatched_at is not None  # handled: history, not an alarm


def test_it_resolves_the_page_when_the_resolve_arrives_while_the_page_is_being_opened(
        commanded_incident, policy, people, at, monkeypatch):
    incident = commanded_incident()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()
    paused = Paused(monkeypatch, before=False)
    worker = InThread(lambda: tasks.breaches_dispatch([breach.pk]))
    assert paused.reached.wait(20)  # the page is opened, not yet committed

    resolver = InThread(lambda: resolve(incident, people["commander"]))
    try:
        blocked = resolver.blocked_on_a_lock()  # on the incident row, until the page is committed
    finally:
        paused.go.set()
        worker.join(20)
        resolver.join(20)

    assert blocked, "the resolve did not wait for the dispatch: it cannot have seen the new page"
    assert not worker.errors and not resolver.errors
    page = Page.objects.get()
    assert page.state == PageState.RESOLVED
    assert not Delivery.objects.filter(page=page, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]).exists()
    escalation = incident.deadlines.get(kind=DeadlineKind.ESCALATION)
    assert escalation.state == DeadlineState.CANCELLED


def test_it_lets_the_desk_log_events_while_pages_are_being_opened(commanded_incident, policy, at, monkeypatch):
    incident = commanded_incident()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()
    paused = Paused(monkeypatch, before=False)  # the incident is locked FOR SHARE, the page inserted
    worker = InThread(lambda: tasks.breaches_dispatch([breach.pk]))
    assert paused.reached.wait(20)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # Fails with "canceling statement due to lock timeout" if opening pages blocked timeline inserts.
            timeline_event_append(incident=incident, kind="note", body="Logged while the engine pages")
    finally:
        paused.go.set()
        worker.join(20)
    assert not worker.errors
    assert Page.objects.get().state == PageState.TRIGGERED
