"""Who is on call over the next days, day by day in the schedule's zone, overrides included.

The same rule as ``selectors.oncall_user_at`` (the latest override covering a moment wins, else the first
rotation by position that has started and has members), worked out for a whole window in memory: a fixed
number of queries for any number of schedules, rotations, members and overrides.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model

from .models import Override, Rotation, Schedule
from .rotation import Shift, shifts_between

PREVIEW_DAYS = 14


@dataclass(frozen=True)
class Cover:
    """A stretch of time with one person (or nobody) on call."""

    starts_at: datetime
    ends_at: datetime
    user: object | None
    label: str  # the rotation's name, or the override's reason (may be empty)
    is_override: bool


@dataclass
class PreviewDay:
    day: date
    covers: list[Cover] = field(default_factory=list)


@dataclass
class SchedulePreview:
    schedule: Schedule
    days: list[PreviewDay]

    @property
    def has_anyone(self) -> bool:
        return any(cover.user is not None for day in self.days for cover in day.covers)


@dataclass(frozen=True)
class _Layer:
    rotation: Rotation
    member_ids: list[int]
    shifts: list[Shift]


def _midnights(zone: zoneinfo.ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The instants each local day begins inside the window (a midnight the clocks skip begins at the first
    real instant after it, as ``rotation.handoff_at`` does for hand-offs)."""
    day = start.astimezone(zone).date() + timedelta(days=1)
    found = []
    while True:
        begins = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        if begins >= end:
            return found
        found.append(begins)
        day += timedelta(days=1)


def _who(moment: datetime, layers: list[_Layer], overrides: list[Override]) -> tuple[int | None, str, bool]:
    for override in overrides:  # newest first: the latest override covering a moment wins
        if override.starts_at <= moment < override.ends_at:
            return override.user_id, override.reason, True
    for layer in layers:
        for shift in layer.shifts:
            if shift.starts_at <= moment < shift.ends_at:
                return layer.member_ids[shift.index % len(layer.member_ids)], layer.rotation.name, False
    return None, "", False


def _preview(schedule: Schedule, layers: list[_Layer], overrides: list[Override], people: dict, start: datetime,
             end: datetime) -> SchedulePreview:
    zone = zoneinfo.ZoneInfo(schedule.time_zone)
    cuts = {start, end, *_midnights(zone, start, end)}
    for layer in layers:
        cuts.update(moment for shift in layer.shifts for moment in (shift.starts_at, shift.ends_at))
    cuts.update(moment for o in overrides for moment in (o.starts_at, o.ends_at))
    ordered = sorted(moment for moment in cuts if start <= moment <= end)
    days: dict[date, PreviewDay] = {}
    for begins, ends in zip(ordered, ordered[1:], strict=False):
        user_id, label, is_override = _who(begins, layers, overrides)
        day = days.setdefault(begins.astimezone(zone).date(), PreviewDay(day=begins.astimezone(zone).date()))
        last = day.covers[-1] if day.covers else None
        person = people.get(user_id)
        if last is not None and (last.user, last.label, last.is_override) == (person, label, is_override):
            day.covers[-1] = Cover(last.starts_at, ends, person, label, is_override)
        else:
            day.covers.append(Cover(begins, ends, person, label, is_override))
    return SchedulePreview(schedule=schedule, days=list(days.values()))


def schedule_previews(*, schedules: list[Schedule], start: datetime,
                      days: int = PREVIEW_DAYS) -> dict[int, SchedulePreview]:
    """Previews keyed by schedule id: three queries whatever the number of schedules, members and overrides."""
    end = start + timedelta(days=days)
    by_id = {s.pk: s for s in schedules}
    rotations = list(Rotation.objects.filter(schedule_id__in=by_id).prefetch_related("members")
                     .order_by("position", "id"))
    overrides = list(Override.objects.filter(schedule_id__in=by_id, starts_at__lt=end, ends_at__gt=start)
                     .order_by("-created_at", "-id"))
    layers: dict[int, list[_Layer]] = {pk: [] for pk in by_id}
    for rotation in rotations:
        member_ids = [m.user_id for m in rotation.members.all()]
        if not member_ids:
            continue
        schedule = by_id[rotation.schedule_id]
        shifts = shifts_between(starts_on=rotation.starts_on, handoff_time=rotation.handoff_time,
                                length_days=rotation.length_days, zone=schedule.time_zone, start=start, end=end)
        layers[schedule.pk].append(_Layer(rotation=rotation, member_ids=member_ids, shifts=shifts))
    user_ids = {o.user_id for o in overrides} | {uid for found in layers.values() for la in found
                                                  for uid in la.member_ids}
    people = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    return {pk: _preview(schedule, layers[pk], [o for o in overrides if o.schedule_id == pk], people, start, end)
            for pk, schedule in by_id.items()}
