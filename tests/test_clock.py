"""The two clocks: when a fact happened in the crisis (judging) and when it was entered (the record)."""

from datetime import UTC, datetime

import pytest

from crisis import clock
from crisis.services import incidents
from crisis.services.timeline import timeline_event_append
from tests.factories import IncidentFactory

MARCH = datetime(2026, 3, 14, 14, 44, tzinfo=UTC)


def test_it_reads_both_clocks_from_one_reading_when_live():
    present, recorded = clock.now_and_recorded()
    assert present == recorded


def test_it_judges_at_the_replayed_time_and_records_at_the_real_one():
    with clock.replaying_at(MARCH):
        present, recorded = clock.now_and_recorded()
        assert clock.now() == present == MARCH
    assert recorded > MARCH + (datetime.now(UTC) - MARCH) / 2


def test_a_frozen_clock_stops_both():
    with clock.frozen_at(MARCH):
        assert clock.now_and_recorded() == (MARCH, MARCH)


@pytest.mark.django_db
def test_a_line_logged_now_happened_exactly_when_it_was_recorded():
    event = timeline_event_append(incident=IncidentFactory(), kind="note", body="Live")
    assert event.occurred_at == event.recorded_at


@pytest.mark.django_db
def test_a_live_acknowledgement_happened_exactly_when_it_was_recorded(people, org):
    incident = IncidentFactory(organization=org)
    incidents.incident_acknowledge(incident=incident, actor=people["responder"])
    incident.refresh_from_db()
    assert incident.acknowledged_at == incident.acknowledged_recorded_at
