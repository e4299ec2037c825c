"""How far each measure is from where it stood before the crisis (pure: no database).

The baseline of a source is its last checkpoint measured before the first public signal, else its first
checkpoint. A measure is back when it is no worse than its baseline plus the band (``baseline_share_points``
points of negative share; ``baseline_band_pct`` % of the baseline for the others): doing better than before
the crisis counts as back. The desk proposes ending the crisis once every measure the baselines hold has been
back for ``baseline_hold_minutes`` of measured time and the latest figure is not stale.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

BASELINE_MEASURES = ("negative_share", "mention_volume", "reach", "trending_rank")
# Past this age the latest figure says little about now: no proposal on stale data.
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Distance:
    source: str
    measure: str
    baseline: float
    current: float
    current_at: datetime
    difference: float
    # Relative to the baseline (None when the baseline is 0); negative share is compared in points.
    relative: float | None
    is_back: bool

    def as_dict(self) -> dict:
        return {"source": self.source, "measure": self.measure, "baseline": self.baseline, "current": self.current,
                "current_at": self.current_at.isoformat(), "difference": self.difference,
                "relative": self.relative, "is_back": self.is_back}


@dataclass
class BaselineView:
    has_baseline: bool = False
    baseline_before_signal: bool = False
    distances: list[Distance] = field(default_factory=list)
    back_since: datetime | None = None
    latest_at: datetime | None = None
    is_stale: bool = False
    is_back: bool = False
    hold_minutes: int = 0
    proposes_ending: bool = False


def is_back(measure: str, baseline: float, current: float, thresholds) -> bool:
    if measure == "negative_share":
        return current <= baseline + thresholds.baseline_share_points / 100
    allowance = abs(baseline) * thresholds.baseline_band_pct / 100
    if measure == "trending_rank":
        return current >= baseline - allowance
    return current <= baseline + allowance


def _baselines(ordered, first_public_signal_at: datetime) -> dict[str, object]:
    chosen: dict[str, object] = {}
    for point in ordered:
        known = chosen.get(point.source)
        if known is None or point.measured_at < first_public_signal_at:
            chosen[point.source] = point
    return chosen


def baseline_view(points, thresholds, *, first_public_signal_at: datetime, now: datetime) -> BaselineView:
    ordered = sorted(points, key=lambda p: (p.measured_at, p.pk or 0))
    if not ordered:
        return BaselineView(hold_minutes=thresholds.baseline_hold_minutes)
    bases = _baselines(ordered, first_public_signal_at)
    latest: dict[tuple[str, str], Distance] = {}
    back_since = None
    for point in ordered:
        base = bases[point.source]
        if point.measured_at <= base.measured_at:
            continue
        for measure in BASELINE_MEASURES:
            base_value, value = getattr(base, measure), getattr(point, measure)
            if base_value is None or value is None:
                continue
            latest[(point.source, measure)] = Distance(
                source=point.source, measure=measure, baseline=base_value, current=value,
                current_at=point.measured_at, difference=value - base_value,
                relative=(value - base_value) / base_value if base_value else None,
                is_back=is_back(measure, base_value, value, thresholds))
        all_back = bool(latest) and all(d.is_back for d in latest.values())
        back_since = (back_since or point.measured_at) if all_back else None
    latest_at = ordered[-1].measured_at
    view = BaselineView(
        has_baseline=True, baseline_before_signal=any(b.measured_at < first_public_signal_at for b in bases.values()),
        distances=sorted(latest.values(), key=lambda d: (d.source, BASELINE_MEASURES.index(d.measure))),
        back_since=back_since, latest_at=latest_at, is_stale=now - latest_at > STALE_AFTER,
        is_back=back_since is not None, hold_minutes=thresholds.baseline_hold_minutes)
    held = back_since is not None and latest_at - back_since >= timedelta(minutes=thresholds.baseline_hold_minutes)
    view.proposes_ending = held and not view.is_stale
    return view
