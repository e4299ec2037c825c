"""Offsets are durations: a deadline is the signal's instant plus the step's offset, whatever the clocks do."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crisis.services import incidents

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# Typed into a form in New York: Django makes them aware on the local wall clock (fold=0, the first
# 01:30 on the night the clocks fall back).
FALL_BACK = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
SPRING_FORWARD = datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK)
DAY_BEFORE_FALL_BACK = datetime(2026, 10, 31, 9, 0, tzinfo=NEW_YORK)


def offsets(incident) -> dict[str, timedelta]:
    return {step["key"]: timedelta(seconds=step["severity_offsets"].get(str(incident.severity),
                                                                         step["offset_seconds"]))
            for step in incident.playbook_snapshot}


def assert_elapsed(incident, signal: datetime) -> None:
    expected = offsets(incident)
    due = {d.step_key: d.due_at for d in incident.deadlines.filter(occurrence=0, kind="playbook")}
    # In UTC: adding a timedelta to a New York datetime would add it on the wall clock.
    assert due == {key: signal.astimezone(UTC) + offset for key, offset in expected.items()}


@pytest.mark.parametrize("signal", [FALL_BACK, SPRING_FORWARD, DAY_BEFORE_FALL_BACK])
def test_it_puts_every_deadline_at_the_signal_plus_its_offset_in_elapsed_time(org, people, time_machine, signal):
    time_machine.move_to(signal + timedelta(minutes=1), tick=False)
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="Recall rumour",
                                       first_public_signal_at=signal, severity=2, time_zone="America/New_York")
    assert_elapsed(incident, signal)


def test_it_puts_the_follow_up_report_24_hours_of_real_time_after_a_signal_the_day_before_the_change(
        org, people, time_machine):
    time_machine.move_to(DAY_BEFORE_FALL_BACK, tick=False)
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="Recall rumour",
                                       first_public_signal_at=DAY_BEFORE_FALL_BACK, severity=2,
                                       time_zone="America/New_York")
    follow_up = incident.deadlines.get(step_key="follow-up-report")
    assert follow_up.due_at - DAY_BEFORE_FALL_BACK.astimezone(UTC) == timedelta(hours=24)
    # On the wall clock that is 08:00 the next day, not 09:00: the clocks went back an hour.
    assert follow_up.due_at.astimezone(NEW_YORK).hour == 8


def test_it_moves_deadlines_by_elapsed_time_when_the_signal_is_re_dated_across_a_change(org, people, time_machine):
    time_machine.move_to(FALL_BACK + timedelta(minutes=5), tick=False)
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="Recall rumour",
                                       first_public_signal_at=FALL_BACK + timedelta(minutes=4), severity=2,
                                       time_zone="America/New_York")
    incidents.incident_update_details(incident=incident, actor=people["commander"],
                                      first_public_signal_at=FALL_BACK)
    assert_elapsed(incident, FALL_BACK)
