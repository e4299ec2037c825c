"""The two-week preview: day by day in the schedule's zone, overrides on top, the same answer as the pager's."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from crisis.oncall.models import Override
from crisis.oncall.preview import schedule_previews
from crisis.oncall.selectors import oncall_user_at

from .factories import ScheduleFactory, rotation_with

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def covers(preview):
    return [(day.day, c.starts_at, c.ends_at, c.user, c.is_override) for day in preview.days for c in day.covers]


def test_it_says_nobody_for_an_empty_schedule(org):
    schedule = ScheduleFactory(organization=org)
    preview = schedule_previews(schedules=[schedule], start=datetime(2026, 12, 1, tzinfo=UTC))[schedule.pk]
    assert not preview.has_anyone
    assert len(preview.days) == 15  # today's rest, thirteen whole days, and the start of the fifteenth
    assert all(c.user is None for day in preview.days for c in day.covers)


def test_it_puts_the_override_person_over_the_rotation(org, people):
    schedule = ScheduleFactory(organization=org, time_zone="Asia/Shanghai")
    rotation_with(schedule, [people["viewer"]], starts_on=date(2026, 11, 1), handoff_time=time(9), length_days=7)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    Override.objects.create(schedule=schedule, user=people["approver"], starts_at=start + timedelta(days=2),
                            ends_at=start + timedelta(days=2, hours=6), reason="Swap")
    preview = schedule_previews(schedules=[schedule], start=start)[schedule.pk]
    found = [c for day in preview.days for c in day.covers if c.is_override]
    assert [(c.user, c.label, c.starts_at, c.ends_at) for c in found] == [
        (people["approver"], "Swap", start + timedelta(days=2), start + timedelta(days=2, hours=6))]
    assert {c.user for day in preview.days for c in day.covers} == {people["viewer"], people["approver"]}


def test_it_cuts_days_at_midnight_in_the_schedule_zone(org, people):
    schedule = ScheduleFactory(organization=org, time_zone="Asia/Shanghai")
    rotation_with(schedule, [people["viewer"], people["approver"]], starts_on=date(2026, 11, 1),
                  handoff_time=time(9), length_days=1)
    preview = schedule_previews(schedules=[schedule], start=datetime(2026, 12, 1, 16, tzinfo=UTC))[schedule.pk]
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    second = preview.days[1]
    assert second.day == date(2026, 12, 3)
    assert [c.starts_at.astimezone(shanghai).time() for c in second.covers] == [time(0), time(9)]
    assert second.covers[0].user != second.covers[1].user


def test_it_keeps_the_hand_off_at_wall_time_across_the_clocks_changing(org, people):
    schedule = ScheduleFactory(organization=org, time_zone="Europe/London")
    rotation_with(schedule, [people["viewer"], people["approver"]], starts_on=date(2027, 3, 1),
                  handoff_time=time(9), length_days=1)
    preview = schedule_previews(schedules=[schedule], start=datetime(2027, 3, 25, tzinfo=UTC))[schedule.pk]
    hand_offs = {c.starts_at.astimezone(LONDON).time() for day in preview.days for c in day.covers[1:]}
    assert hand_offs == {time(9)}
    # 28 March 2027 is the spring-forward day: 23 hours long, and the preview says so.
    short = next(day for day in preview.days if day.day == date(2027, 3, 28))
    assert short.covers[-1].ends_at - short.covers[0].starts_at == timedelta(hours=23)


def test_it_agrees_with_the_pager_at_every_hour(org, people):
    schedule = ScheduleFactory(organization=org, time_zone="America/New_York")
    rotation_with(schedule, [people["viewer"], people["approver"], people["responder"]],
                  starts_on=date(2026, 10, 30), handoff_time=time(2, 30), length_days=2)
    start = datetime(2026, 10, 30, tzinfo=UTC)
    Override.objects.create(schedule=schedule, user=people["admin"], starts_at=start + timedelta(days=3, hours=5),
                            ends_at=start + timedelta(days=4, hours=1))
    preview = schedule_previews(schedules=[schedule], start=start)[schedule.pk]
    for hours in range(0, 14 * 24, 1):
        moment = start + timedelta(hours=hours)
        cover = next(c for day in preview.days for c in day.covers if c.starts_at <= moment < c.ends_at)
        assert cover.user == oncall_user_at(schedule=schedule, moment=moment), moment


def test_it_previews_many_schedules_in_a_fixed_number_of_queries(org, people, django_assert_max_num_queries):
    schedules = []
    for _n in range(5):
        schedule = ScheduleFactory(organization=org)
        rotation_with(schedule, [people["viewer"], people["approver"]])
        schedules.append(schedule)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(200):
        Override.objects.create(schedule=schedules[n % 5], user=people["admin"],
                                starts_at=start + timedelta(hours=n), ends_at=start + timedelta(hours=n, minutes=30))
    with django_assert_max_num_queries(4):
        previews = schedule_previews(schedules=schedules, start=start)
    assert all(p.has_anyone for p in previews.values())
