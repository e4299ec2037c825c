"""The sentiment chart, drawn on the server as SVG: no chart library, no build step, prints as it shows.

Negative share (left axis, 0-100 %) as a line, mention volume (right axis) as bars,
published statements as vertical markers, and the organization's alarm thresholds as lines.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
    negative: list[Point] = field(default_factory=list)
    volume: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    # Posts nobody approved (Statement.is_off_script): drawn apart, so nobody reads them as the brand's answer.
    off_script_markers: list[Marker] = field(default_factory=list)
    share_ticks: list[Tick] = field(default_factory=list)
    volume_ticks: list[Tick] = field(default_factory=list)
    time_ticks: list[Tick] = field(default_factory=list)
    negative_threshold: float | None = None
    volume_threshold: float | None = None
    bar_width: float = 6

    @property
    def negative_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.negative)

    @property
    def is_empty(self) -> bool:
        return not self.negative and not self.volume


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def sentiment_chart(
    *,
    checkpoints,
    publications: list[tuple[datetime, str]],
    start: datetime,
    end: datetime,
    local,
    negative_threshold: float | None = None,
    volume_threshold: int | None = None,
    off_script: list[tuple[datetime, str]] | None = None,
) -> SentimentChart:
    """``local`` turns an instant into the incident's wall clock for the axis labels."""
    off_script = off_script or []
    moments = [cp.measured_at for cp in checkpoints] + [moment for moment, _ in [*publications, *off_script]]
    start = min([start, *moments])
    end = max([end, *moments, start + timedelta(minutes=30)])
    span = (end - start).total_seconds()
    chart = SentimentChart()

    def x(moment: datetime) -> float:
        return LEFT + PLOT_W * (moment - start).total_seconds() / span

    def y_share(share: float) -> float:
        return TOP + PLOT_H * (1 - share)

    volumes = [cp.mention_volume for cp in checkpoints if cp.mention_volume is not None]
    top_volume = _nice_ceiling(max(volumes + [volume_threshold or 0, 1]))

    def y_volume(volume: float) -> float:
        return TOP + PLOT_H * (1 - volume / top_volume)

    for cp in checkpoints:
        when = local(cp.measured_at).strftime("%H:%M")
        if cp.negative_share is not None:
            chart.negative.append(Point(x(cp.measured_at), y_share(cp.negative_share),
                                        f"{when} {cp.source}: {cp.negative_share:.0%}"))
        if cp.mention_volume is not None:
            top = y_volume(cp.mention_volume)
            chart.volume.append(Bar(x(cp.measured_at) - chart.bar_width / 2, top, TOP + PLOT_H - top,
                                    f"{when} {cp.source}: {cp.mention_volume:,}"))
    chart.markers = [Marker(x(moment), f"{local(moment):%H:%M} {label}") for moment, label in publications]
    chart.off_script_markers = [Marker(x(moment), f"{local(moment):%H:%M} {label}") for moment, label in off_script]
    chart.share_ticks = [Tick(y_share(s), f"{s:.0%}") for s in (0, 0.25, 0.5, 0.75, 1)]
    chart.volume_ticks = [Tick(y_volume(v), f"{v:,.0f}") for v in (0, top_volume / 2, top_volume)]
    step = _time_step(span)
    tick = _first_round_tick(start, step, local)
    while tick <= end:
        label = local(tick).strftime("%H:%M" if step < timedelta(days=1) else "%m-%d")
        chart.time_ticks.append(Tick(x(tick), label, is_minor=len(chart.time_ticks) % 2 == 1))
        tick += step
    if negative_threshold is not None:
        chart.negative_threshold = y_share(negative_threshold)
    if volume_threshold:
        chart.volume_threshold = y_volume(volume_threshold)
    return chart


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
