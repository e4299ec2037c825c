"""The figures a post-mortem and the analytics share, as pure functions over plain values.

Every definition here is also written down in docs/reports.md; change both together.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from crisis.durations import minutes_between

# "What did this statement do to sentiment?" is read over the hour after it went out.
EFFECT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Point:
    """One sentiment checkpoint as the figures need it (after corrections were applied)."""

    measured_at: datetime
    negative_share: float | None
    mention_volume: int | None


class _HasMeasuredAt(Protocol):
    measured_at: datetime


Measured = TypeVar("Measured", bound=_HasMeasuredAt)


def point_before(points: Sequence[Measured], moment: datetime) -> Measured | None:
    """The latest checkpoint measured at or before ``moment``: the state the statement spoke into."""
    found = None
    for point in points:
        if point.measured_at > moment:
            break
        found = point
    return found


def point_after(points: Sequence[Measured], moment: datetime, window: timedelta = EFFECT_WINDOW) -> Measured | None:
    """The latest checkpoint in (moment, moment + window]: where opinion stood an hour on."""
    found = None
    for point in points:
        if point.measured_at <= moment:
            continue
        if point.measured_at > moment + window:
            break
        found = point
    return found


def point_next(points: Sequence[Measured], moment: datetime) -> Measured | None:
    """The first checkpoint measured after ``moment``, however long after: the nearest reading when
    nobody measured in the hour that ``point_after`` looks at."""
    return next((point for point in points if point.measured_at > moment), None)


def change(before: float | None, after: float | None, digits: int = 4) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, digits)


def percent_change(before: int | None, after: int | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / before * 100, 1)


@dataclass(frozen=True)
class Recovery:
    baseline: float | None
    peak: Point | None
    recovered: Point | None

    @property
    def minutes(self) -> float | None:
        """From the peak of negative share back to the baseline; None if it never got back."""
        if self.peak is None or self.recovered is None:
            return None
        return minutes_between(self.peak.measured_at, self.recovered.measured_at)


def sentiment_recovery(points: Sequence[Point], first_public_signal_at: datetime) -> Recovery:
    """Peak negative share, and the first checkpoint after it back at or below the pre-incident baseline.

    The baseline is the mean negative share measured before the first public signal when anyone
    measured then; otherwise the first checkpoint (the playbook's "baseline sentiment checkpoint").
    """
    rated = [p for p in points if p.negative_share is not None]
    if not rated:
        return Recovery(None, None, None)
    before = [p.negative_share for p in rated if p.measured_at < first_public_signal_at]
    baseline = sum(before) / len(before) if before else rated[0].negative_share
    during = [p for p in rated if p.measured_at >= first_public_signal_at] or rated
    peak = max(during, key=lambda p: (p.negative_share, -p.measured_at.timestamp()))
    recovered = next((p for p in during if p.measured_at > peak.measured_at and p.negative_share <= baseline), None)
    return Recovery(round(baseline, 4), peak, recovered)


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (the same rule as numpy's default and PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return round(value, 1)


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
