"""The sentiment level of a series of checkpoints, with hysteresis (pure: no database).

Each checkpoint updates the latest value of each measure for its source; the reading after it is the
worst of those latest values. A level is ENTERED at the first checkpoint where any measure reaches the
level's threshold. It is LEFT only when every measure is below the exit line (the threshold moved by
``exit_band_pct`` towards calm) for at least ``calm_checkpoints`` checkpoints in a row spanning at least
``calm_minutes``; it then drops to the highest level whose exit line is still crossed. Points are taken in
``measured_at`` order whatever order they arrived in. docs/listening.md has a worked example.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .models.decisions import SentimentLevel

LEVELS = (SentimentLevel.ELEVATED, SentimentLevel.HIGH, SentimentLevel.CRITICAL)
LEVEL_SUFFIX = {SentimentLevel.ELEVATED: "elevated", SentimentLevel.HIGH: "high", SentimentLevel.CRITICAL: "critical"}
MEASURES = ("negative_share", "volume_growth", "trending_rank", "follower_loss_per_hour")
# A smaller trending rank is worse; every other measure is worse when larger.
LOWER_IS_WORSE = {"trending_rank"}


@dataclass(frozen=True)
class Figure:
    """One measure's value that put (or keeps) the series at a level."""

    measure: str
    source: str
    value: float
    threshold: float
    measured_at: datetime

    def as_dict(self) -> dict:
        return {"measure": self.measure, "source": self.source, "value": self.value, "threshold": self.threshold,
                "measured_at": self.measured_at.isoformat()}


@dataclass
class LevelState:
    level: int = SentimentLevel.CALM
    entered_at: datetime | None = None
    figures: list[Figure] = field(default_factory=list)
    # Since when (and over how many points) every measure has been below the exit line of the level.
    calm_since: datetime | None = None
    calm_count: int = 0
    checkpoint_count: int = 0

    @property
    def label(self) -> str:
        return SentimentLevel(self.level).label


def threshold(thresholds, measure: str, level: int) -> float | None:
    return getattr(thresholds, f"{measure}_{LEVEL_SUFFIX[level]}")


def _exit_line(thresholds, measure: str, level: int) -> float | None:
    enter = threshold(thresholds, measure, level)
    if enter is None:
        return None
    band = thresholds.exit_band_pct / 100
    if measure in LOWER_IS_WORSE:
        return max(enter * (1 + band), enter + 1)
    return enter * (1 - band)


def _crosses(measure: str, value: float, line: float | None, *, strictly: bool = False) -> bool:
    if line is None:
        return False
    if measure in LOWER_IS_WORSE:
        return value < line if strictly else value <= line
    return value > line if strictly else value >= line


def _figures_at(thresholds, latest: dict, level: int, *, leaving: bool) -> list[Figure]:
    """The latest values at or past the level's threshold (its exit line when deciding whether to leave)."""
    found = []
    for (source, measure), (value, at) in sorted(latest.items()):
        line = _exit_line(thresholds, measure, level) if leaving else threshold(thresholds, measure, level)
        # Staying needs a value above the exit line: one exactly on it has come down far enough.
        if _crosses(measure, value, line, strictly=leaving):
            found.append(Figure(measure=measure, source=source, value=value,
                                threshold=threshold(thresholds, measure, level), measured_at=at))
    return found


def _highest(thresholds, latest: dict, *, leaving: bool) -> tuple[int, list[Figure]]:
    for level in reversed(LEVELS):
        figures = _figures_at(thresholds, latest, level, leaving=leaving)
        if figures:
            return level, figures
    return SentimentLevel.CALM, []


def readings(point, previous_same_source, baseline_volume: int | None) -> dict[str, float]:
    """The four measures one checkpoint gives, where it gives them."""
    values: dict[str, float] = {}
    if point.negative_share is not None:
        values["negative_share"] = point.negative_share
    if point.mention_volume is not None and baseline_volume:
        values["volume_growth"] = point.mention_volume / baseline_volume
    if point.trending_rank is not None:
        values["trending_rank"] = point.trending_rank
    if point.follower_change is not None and previous_same_source is not None:
        # follower_change is the change since the source's previous point: a rate needs that span.
        hours = (point.measured_at - previous_same_source.measured_at).total_seconds() / 3600
        if hours > 0:
            values["follower_loss_per_hour"] = max(0.0, -point.follower_change / hours)
    return values


def level_walk(points, thresholds, baseline_volumes: dict[str, int | None]) -> list[LevelState]:
    """The state after each point (for tests and the record); ``points`` in any order."""
    ordered = sorted(points, key=lambda p: (p.measured_at, p.pk or 0))
    latest: dict[tuple[str, str], tuple[float, datetime]] = {}
    previous: dict[str, object] = {}
    state = LevelState()
    states = []
    calm_for = timedelta(minutes=thresholds.calm_minutes)
    for point in ordered:
        for measure, value in readings(point, previous.get(point.source), baseline_volumes.get(point.source)).items():
            latest[(point.source, measure)] = (value, point.measured_at)
        previous[point.source] = point
        state = _step(state, thresholds, latest, point.measured_at, calm_for)
        states.append(state)
    return states


def _step(state: LevelState, thresholds, latest: dict, at: datetime, calm_for: timedelta) -> LevelState:
    count = state.checkpoint_count + 1
    raw, raw_figures = _highest(thresholds, latest, leaving=False)
    if raw > state.level:
        return LevelState(level=raw, entered_at=at, figures=raw_figures, checkpoint_count=count)
    if state.level == SentimentLevel.CALM:
        return LevelState(checkpoint_count=count)
    holding, holding_figures = _highest(thresholds, latest, leaving=True)
    if holding >= state.level:
        return LevelState(level=state.level, entered_at=state.entered_at, figures=holding_figures,
                          checkpoint_count=count)
    calm_since = state.calm_since or at
    calm_count = state.calm_count + 1
    if calm_count >= thresholds.calm_checkpoints and at - calm_since >= calm_for:
        return LevelState(level=holding, entered_at=at if holding else None, figures=holding_figures,
                          checkpoint_count=count)
    return LevelState(level=state.level, entered_at=state.entered_at, figures=state.figures, calm_since=calm_since,
                      calm_count=calm_count, checkpoint_count=count)


def level_now(points, thresholds, baseline_volumes: dict[str, int | None]) -> LevelState:
    states = level_walk(points, thresholds, baseline_volumes)
    return states[-1] if states else LevelState()
