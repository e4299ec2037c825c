"""Shift arithmetic. Hand-offs are wall-clock times in the schedule's zone, so a DST change moves
the UTC instant of the hand-off and makes that one shift an hour shorter or longer; a zone without
DST (Asia/Shanghai) keeps every shift exactly ``length_days`` long."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Shift:
    index: int
    starts_at: datetime
    ends_at: datetime


def handoff_at(*, starts_on: date, handoff_time: time, length_days: int, index: int, zone: str) -> datetime:
    """The aware instant shift ``index`` starts. A hand-off inside a spring-forward gap happens at the
    first real instant after it (fold=0 maps 02:30 to 03:30 the same night)."""
    local = datetime.combine(starts_on + timedelta(days=index * length_days), handoff_time,
                             tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(zoneinfo.ZoneInfo("UTC"))


def shift_at(*, starts_on: date, handoff_time: time, length_days: int, zone: str, moment: datetime) -> Shift | None:
    """The shift covering ``moment``, or None before the first hand-off."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    # A first guess from the local date, then corrected against real instants (at most a step or two).
    index = (local.date() - starts_on).days // length_days

    def start(i: int) -> datetime:
        return handoff_at(starts_on=starts_on, handoff_time=handoff_time, length_days=length_days, index=i, zone=zone)

    for _ in range(3):
        if start(index) > moment:
            index -= 1
        elif start(index + 1) <= moment:
            index += 1
        else:
            break
    if index < 0:
        return None
    return Shift(index=index, starts_at=start(index), ends_at=start(index + 1))


def shifts_between(*, starts_on: date, handoff_time: time, length_days: int, zone: str, start: datetime,
                   end: datetime, limit: int = 1000) -> list[Shift]:
    first = shift_at(starts_on=starts_on, handoff_time=handoff_time, length_days=length_days, zone=zone, moment=start)
    index = first.index if first else 0
    shifts = []
    while len(shifts) < limit:
        begins = handoff_at(starts_on=starts_on, handoff_time=handoff_time, length_days=length_days, index=index,
                            zone=zone)
        if begins >= end:
            break
        ends = handoff_at(starts_on=starts_on, handoff_time=handoff_time, length_days=length_days, index=index + 1,
                          zone=zone)
        shifts.append(Shift(index=index, starts_at=begins, ends_at=ends))
        index += 1
    return shifts
