"""The sentiment chart, drawn on the server as SVG: no chart library, no build step, prints as it shows.

The measure a person picks (negative share by default) as a line on the left axis; with negative share, mention
volume (right axis) as bars behind it. Published statements, off-script posts and deadline breaches as vertical
markers, and the organization's alarm thresholds as lines.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crisis.chart_measures import (
    CHART_MEASURES,
    DEFAULT_MEASURE,
    ChartMeasure,
    measure_format,
    measure_tick,
    nice_ceiling,
    tick_values,
    value_range,
)

# The chart is drawn in these units and scaled to its column (about 450 px in the room at 1280 px, 340 px on a
# phone). Labels are 14 units (18 on a phone, desk.css): readable at either size. A wider drawing shrank them
# to 6-7 px on a laptop and 5 px on a phone.
WIDTH, HEIGHT = 520, 260
LEFT, RIGHT, TOP, BOTTOM = 58, 70, 14, 30
# At most this many time labels, so that 18-unit "HH:MM" labels never touch; a phone shows every other one.
MAX_TIME_TICKS = 6
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    is_off_script: bool = False


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    is_minor: bool = False


@dataclass
class SentimentChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    measure: ChartMeasure = DEFAULT_MEASURE
    measures: tuple[ChartMeasure, ...] = CHART_MEASURES
    # The picked measure, one point per checkpoint that has it.
    points: list[Point] = field(default_factory=list)
    # Mention volume as bars behind negative share (the default view), for context.
    volume: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    breaches: list[Marker] = field(default_factory=list)
    value_ticks: list[Tick] = field(default_factory=list)
    volume_ticks: list[Tick] = field(default_factory=list)
    time_ticks: list[Tick] = field(default_factory=list)
    threshold: float | None = None
    volume_threshold: float | None = None
    bar_width: float = 6
    has_checkpoints: bool = False

    @property
    def points_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def is_empty(self) -> bool:
        """Nothing measured at all; a measure without values still draws its markers and says so."""
        return not self.has_checkpoints

    @property
    def has_off_script(self) -> bool:
        return any(marker.is_off_script for marker in self.markers)

    @property
    def has_statements(self) -> bool:
        return any(not marker.is_off_script for marker in self.markers)


def sentiment_chart(
    *,
    checkpoints,
    publications: list[tuple[datetime, str]],
    start: datetime,
    end: datetime,
    local,
    negative_threshold: float | None = None,
    volume_threshold: int | None = None,
    measure: ChartMeasure = DEFAULT_MEASURE,
    off_script: list[tuple[datetime, str]] = (),
    breaches: list[tuple[datetime, str]] = (),
) -> SentimentChart:
    """``local`` turns an instant into the incident's wall clock for the axis labels.

    ``off_script`` are posts nobody approved, drawn apart from the statements; ``breaches`` are the moments
    deadlines slipped. Every checkpoint sits at its ``measured_at``, however late it was entered.
    """
    checkpoints = list(checkpoints)
    marked = [*publications, *off_script, *breaches]
    moments = [cp.measured_at for cp in checkpoints] + [moment for moment, _label in marked]
    start = min([start, *moments])
    end = max([end, *moments, start + timedelta(minutes=30)])
    span = (end - start).total_seconds()
    chart = SentimentChart(measure=measure, has_checkpoints=bool(checkpoints))

    def x(moment: datetime) -> float:
        return LEFT + PLOT_W * (moment - start).total_seconds() / span

    threshold = {"negative_share": negative_threshold, "mention_volume": volume_threshold}.get(measure.field)
    measured = [(cp, getattr(cp, measure.field, None)) for cp in checkpoints]
    measured = [(cp, value) for cp, value in measured if value is not None]
    bottom_value, top_value = value_range(measure, [value for _cp, value in measured], threshold)

    def y_value(value: float) -> float:
        return TOP + PLOT_H * (1 - (value - bottom_value) / (top_value - bottom_value))

    for cp, value in measured:
        chart.points.append(Point(x(cp.measured_at), y_value(value),
                                  f"{local(cp.measured_at):%H:%M} {cp.source}: {measure_format(measure, value)}"))
    chart.value_ticks = [Tick(y_value(v), measure_tick(measure, v))
                         for v in tick_values(measure, bottom_value, top_value)]
    # A zero volume threshold means "no alarm"; a zero negative-share threshold is a (strict) alarm.
    if threshold is not None and (threshold or measure.kind == "share"):
        chart.threshold = y_value(threshold)
    if measure == DEFAULT_MEASURE:
        _volume_bars(chart, checkpoints, x, local, volume_threshold)
    chart.markers = [Marker(x(moment), f"{local(moment):%H:%M} {label}") for moment, label in publications]
    chart.markers += [Marker(x(moment), f"{local(moment):%H:%M} {label}", is_off_script=True)
                      for moment, label in off_script]
    chart.breaches = [Marker(x(moment), f"{local(moment):%H:%M} {label}") for moment, label in breaches]
    step = _time_step(span)
    tick = _first_round_tick(start, step, local)
    while tick <= end:
        label = local(tick).strftime("%H:%M" if step < timedelta(days=1) else "%m-%d")
        chart.time_ticks.append(Tick(x(tick), label, is_minor=len(chart.time_ticks) % 2 == 1))
        tick += step
    return chart


def _volume_bars(chart: SentimentChart, checkpoints, x, local, volume_threshold: int | None) -> None:
    """Mention volume on the right axis, behind negative share: how loud it is beside how hostile."""
    volumes = [cp.mention_volume for cp in checkpoints if cp.mention_volume is not None]
    top_volume = nice_ceiling(max(volumes + [volume_threshold or 0, 1]))

    def y_volume(volume: float) -> float:
        return TOP + PLOT_H * (1 - volume / top_volume)

    for cp in checkpoints:
        if cp.mention_volume is None:
            continue
        top = y_volume(cp.mention_volume)
        chart.volume.append(Bar(x(cp.measured_at) - chart.bar_width / 2, top, TOP + PLOT_H - top,
                                f"{local(cp.measured_at):%H:%M} {cp.source}: {cp.mention_volume:,}"))
    chart.volume_ticks = [Tick(y_volume(v), f"{v:,.0f}") for v in (0, top_volume / 2, top_volume)]
    if volume_threshold:
        chart.volume_threshold = y_volume(volume_threshold)


def _time_step(span_seconds: float) -> timedelta:
    """The shortest round step that gives at most MAX_TIME_TICKS labels over the span."""
    for minutes in (15, 30, 60, 120, 240, 360, 720, 1440, 2880, 10080):
        if span_seconds / (minutes * 60) < MAX_TIME_TICKS:
            return timedelta(minutes=minutes)
    return timedelta(days=int(span_seconds // (86400 * (MAX_TIME_TICKS - 1))) + 1)


def _first_round_tick(start: datetime, step: timedelta, local) -> datetime:
    """The first instant at or after ``start`` whose wall clock is a whole step (19:30, 20:00; midnight for days)."""
    wall = local(start)
    into_day = timedelta(hours=wall.hour, minutes=wall.minute, seconds=wall.second, microseconds=wall.microsecond)
    unit = min(step, timedelta(days=1))
    ahead = -into_day % unit
    return start + ahead


def sparkline(values: list[float], *, width: int = 80, height: int = 20) -> str:
    """Points for a tiny trend line of negative share (0..1) on the dashboard."""
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height * (1 - v):.1f}" for i, v in enumerate(values))
