"""What the engine locks while it works, on PostgreSQL: only its own rows, never the incident."""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from crisis.models import Breach
from crisis.services.timeline import timeline_event_append
from crisis.timers import tasks
from crisis.timers.sweeper import deadlines_breach_due

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks to observe"),
    pytest.mark.django_db(transaction=True),
]


def test_it_lets_the_desk_log_events_while_a_breach_is_being_dispatched(incident_at_t0, at, monkeypatch):
    incident = incident_at_t0()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()
    inside, release = threading.Event(), threading.Event()

    def slow_alert(*, breaches):
        inside.set()
        release.wait(10)

    monkeypatch.setattr("crisis.oncall.dispatch.breaches_alert", slow_alert)
    worker = threading.Thread(target=lambda: (tasks.breach_dispatch(breach.pk), connection.close()))
    worker.start()
    try:
        assert inside.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # Fails with "canceling statement due to lock timeout" if the dispatch holds the incident row.
            timeline_event_append(incident=incident, kind="note", body="Logged while the engine pages")
    finally:
        release.set()
        worker.join(10)
    assert Breach.objects.get().dispatched_at is not None
