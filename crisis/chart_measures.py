"""The measures a person can chart over an incident, and how each is scaled and written.

The room's live chart (crisis/web/chart.py) and the post-mortem's figure (crisis/reports/svg.py) share these,
so that a measure reads the same on the desk and in the report.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class ChartMeasure:
    """A measure a person can chart: ``key`` travels in the URL, ``field`` is the checkpoint's column."""

    key: str
    field: str
    label: Promise
    kind: str  # share (0-1), count (0 up), signed (either side of 0), rank (1 at the top), minutes


CHART_MEASURES = (
    ChartMeasure("negative", "negative_share", gettext_lazy("Negative share"), "share"),
    ChartMeasure("volume", "mention_volume", gettext_lazy("Mention volume"), "count"),
    ChartMeasure("followers", "follower_change", gettext_lazy("Follower change"), "signed"),
    ChartMeasure("trending", "trending_rank", gettext_lazy("Trending rank"), "rank"),
    ChartMeasure("share_price", "share_price_move_pct", gettext_lazy("Share-price move"), "signed"),
    ChartMeasure("livestream_negative", "livestream_negative_share", gettext_lazy("Livestream negative share"),
                 "share"),
    ChartMeasure("livestream_comments", "livestream_comment_count", gettext_lazy("Livestream comments"), "count"),
    ChartMeasure("hot_search", "hot_search_minutes", gettext_lazy("Minutes on hot search"), "minutes"),
)
MEASURES_BY_KEY = {measure.key: measure for measure in CHART_MEASURES}
DEFAULT_MEASURE = CHART_MEASURES[0]


def chart_measure(key: str | None) -> ChartMeasure:
    """The measure a URL asks for; anything unknown (an old link, a typo) shows the default rather than failing."""
    return MEASURES_BY_KEY.get(key or "", DEFAULT_MEASURE)


def measure_format(measure: ChartMeasure, value: float) -> str:
    if measure.kind == "share":
        return f"{value:.0%}"
    if measure.kind == "rank":
        return f"#{value:.0f}"
    if measure.field == "share_price_move_pct":
        return f"{value:+.1f}%"
    if measure.kind == "signed":
        return f"{value:+,.0f}"
    if measure.kind == "minutes":
        return _("%(n)s min") % {"n": f"{value:,.0f}"}
    return f"{value:,.0f}"


def nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def value_range(measure: ChartMeasure, values: list[float], threshold: float | None) -> tuple[float, float]:
    """The axis from bottom to top: shares always 0-100 %, ranks upside down (#1 at the top), signed ones around 0."""
    if measure.kind == "share":
        return 0.0, 1.0
    seen = values + ([threshold] if threshold else [])
    if measure.kind == "rank":
        return nice_ceiling(max(seen + [2])), 1.0
    high = nice_ceiling(max(seen + [0])) if max(seen + [0]) > 0 else 0.0
    low = -nice_ceiling(-min(seen + [0])) if min(seen + [0]) < 0 else 0.0
    if measure.kind == "signed" and low == high == 0:
        return -1.0, 1.0
    # An axis needs two ends: all at zero spans 0-1; all below zero ends at zero.
    return low, high or (0.0 if low < 0 else 1.0)


def measure_tick(measure: ChartMeasure, value: float) -> str:
    """An axis label: short enough for the chart's margin on a phone (its large type leaves about five
    characters), so big numbers are abbreviated and the unit is left to the measure's name beside the chart."""
    if measure.kind in ("share", "rank"):
        return measure_format(measure, value)
    sign = "+" if measure.kind == "signed" and value > 0 else ""
    if measure.field == "share_price_move_pct":
        return f"{sign}{value:g}%"
    size = abs(value)
    if size >= 1_000_000:
        return f"{sign}{value / 1_000_000:.3g}M"
    if size >= 10_000:
        return f"{sign}{value / 1_000:.3g}k"
    return f"{sign}{value:,.0f}"


def tick_values(measure: ChartMeasure, low: float, high: float) -> tuple[float, ...]:
    """Where the value axis is labelled: quarters of a share; otherwise both ends and the middle, or zero when the
    axis crosses it (a fall in followers reads against the line where nothing changed)."""
    if measure.kind == "share":
        return (0, 0.25, 0.5, 0.75, 1)
    if low < 0 < high:
        return (low, 0, high)
    return (low, (low + high) / 2, high)
