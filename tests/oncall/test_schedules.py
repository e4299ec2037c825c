"""Who is on call: hand-offs at a wall-clock time, across midnight, with and without DST."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from crisis.oncall.models import Override
from crisis.oncall.rotation import handoff_at, shift_at
from crisis.oncall.selectors import oncall_user_at

from .factories import ScheduleFactory, rotation_with

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


@pytest.fixture
def pair(org, people):
    return people["responder"], people["approver"]


def daily(org, users, zone, handoff, starts_on=date(2026, 10, 1), length_days=1):
    schedule = ScheduleFactory(organization=org, time_zone=zone)
    rotation_with(schedule, users, starts_on=starts_on, handoff_time=handoff, length_days=length_days)
    return schedule


def test_it_hands_off_at_midnight_local_time(org, pair):
    schedule = daily(org, pair, "Asia/Shanghai", time(0, 0))
    before = oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 24, 23, 59))
    after = oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 25, 0, 0))
    assert (before, after) == (pair[1], pair[0]) or (before, after) == (pair[0], pair[1])
    assert before != after


def test_it_keeps_one_person_across_midnight_when_the_shift_runs_evening_to_evening(org, pair):
    schedule = daily(org, pair, "Asia/Shanghai", time(20, 0))
    before = oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 24, 23, 59))
    after = oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 25, 0, 1))
    assert before == after


def test_it_hands_off_at_the_local_time_not_the_utc_time(org, pair):
    schedule = daily(org, pair, "Asia/Shanghai", time(9, 0))
    # 09:00 in Shanghai is 01:00 UTC: the person changes there, not at UTC midnight.
    at_utc_midnight = oncall_user_at(schedule=schedule, moment=datetime(2026, 11, 25, 0, 30, tzinfo=UTC))
    before_handoff = oncall_user_at(schedule=schedule, moment=datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    after_handoff = oncall_user_at(schedule=schedule, moment=datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    assert at_utc_midnight == before_handoff != after_handoff


def test_it_keeps_every_shanghai_shift_exactly_a_day_long():
    lengths = {
        (handoff_at(starts_on=date(2026, 1, 1), handoff_time=time(9, 0), length_days=1, index=i + 1,
                    zone="Asia/Shanghai")
         - handoff_at(starts_on=date(2026, 1, 1), handoff_time=time(9, 0), length_days=1, index=i,
                      zone="Asia/Shanghai"))
        for i in range(365)
    }
    assert lengths == {timedelta(days=1)}


def test_it_makes_the_new_york_shift_25_hours_when_dst_ends():
    shift = shift_at(starts_on=date(2026, 10, 1), handoff_time=time(9, 0), length_days=1, zone="America/New_York",
                     moment=local(NEW_YORK, 2026, 11, 1, 3, 0))
    assert shift.ends_at - shift.starts_at == timedelta(hours=25)


def test_it_makes_the_new_york_shift_23_hours_when_dst_starts():
    shift = shift_at(starts_on=date(2026, 1, 1), handoff_time=time(9, 0), length_days=1, zone="America/New_York",
                     moment=local(NEW_YORK, 2026, 3, 8, 4, 0))
    assert shift.ends_at - shift.starts_at == timedelta(hours=23)


def test_it_hands_off_at_nine_new_york_time_on_both_sides_of_the_dst_change(org, pair):
    schedule = daily(org, pair, "America/New_York", time(9, 0))
    # 2026-11-01: 09:00 EST is 14:00 UTC (it was 13:00 UTC the day before, under EDT).
    still_previous = oncall_user_at(schedule=schedule, moment=datetime(2026, 11, 1, 13, 30, tzinfo=UTC))
    previous_day = oncall_user_at(schedule=schedule, moment=datetime(2026, 10, 31, 13, 30, tzinfo=UTC))
    assert still_previous == previous_day


def test_it_moves_a_handoff_inside_the_spring_forward_gap_to_the_first_real_instant():
    start = handoff_at(starts_on=date(2026, 3, 8), handoff_time=time(2, 30), length_days=1, index=0,
                       zone="America/New_York")
    assert start == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_it_cycles_a_weekly_rotation_through_its_members(org, people):
    users = [people["responder"], people["approver"], people["commander"]]
    schedule = daily(org, users, "Asia/Shanghai", time(9, 0), starts_on=date(2026, 11, 2), length_days=7)
    weeks = [oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 2, 10) + timedelta(weeks=w))
             for w in range(4)]
    assert weeks == users + users[:1]


def test_it_has_nobody_on_call_before_the_first_handoff(org, pair):
    schedule = daily(org, pair, "Asia/Shanghai", time(9, 0), starts_on=date(2026, 11, 24))
    assert oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 24, 8, 59)) is None


def test_it_lets_an_override_win_over_the_rotation(org, pair, people):
    schedule = daily(org, pair, "Asia/Shanghai", time(9, 0))
    Override.objects.create(schedule=schedule, user=people["admin"], reason="Swap",
                            starts_at=local(SHANGHAI, 2026, 11, 24, 12), ends_at=local(SHANGHAI, 2026, 11, 24, 18))
    assert oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 24, 13)) == people["admin"]


def test_it_returns_to_the_rotation_when_the_override_ends(org, pair, people):
    schedule = daily(org, pair, "Asia/Shanghai", time(9, 0))
    Override.objects.create(schedule=schedule, user=people["admin"], reason="Holiday cover",
                            starts_at=local(SHANGHAI, 2026, 11, 24, 12), ends_at=local(SHANGHAI, 2026, 11, 24, 18))
    assert oncall_user_at(schedule=schedule, moment=local(SHANGHAI, 2026, 11, 24, 18)) in pair
