"""Charts drawn on the server as inline SVG: the same markup on the page, in the PDF and in print.

No chart library and no script: WeasyPrint renders inline SVG, and a post-mortem must still read
the same in five years. Every label is escaped; numbers are formatted here.
"""

import zoneinfo
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crisis.chart_measures import (
    CHART_MEASURES,
    DEFAULT_MEASURE,
    ChartMeasure,
    measure_tick,
    tick_values,
    value_range,
)

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 60, 16, 40
NEGATIVE = "#c0392b"
VOLUME = "#9db4cc"
STATEMENT = "#2c7a4b"
OFF_SCRIPT = "#6a2c91"
BREACH = "#7a0016"
INK = "#333"
GRID = "#ddd"
# On time / late / missed: told apart by lightness as well as hue, and each segment carries its count.
ON_TIME, LATE, MISSED = "#2c7a4b", "#e0a526", "#a0001c"
PALETTE = ("#1f5f8b", "#c0392b", "#2c7a4b", "#8e44ad", "#d68910", "#5d6d7e", "#117864", "#a04000")


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="11"><title>{escape(title)}</title>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every label above is escaped)


def _text(x: float, y: float, text: str, *, anchor: str = "start", color: str = INK, size: int = 11) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{color}" font-size="{size}">'
            f"{escape(text)}</text>")


def _wrap(label: str, width: int) -> list[str]:
    """A label in at most two lines of about ``width`` characters (CJK counts double): shown whole, not cut.

    Only a label longer than two lines ends in an ellipsis; the table under every chart has it in full.
    """
    def size(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    if size(label) <= width:
        return [label]
    words = label.split(" ") if " " in label else list(label)
    joiner = " " if " " in label else ""
    first: list[str] = []
    while words and size(joiner.join([*first, words[0]])) <= width:
        first.append(words.pop(0))
    if not first:
        first.append(words.pop(0))
    rest = joiner.join(words)
    while size(rest) > width:
        rest = rest[:-2] + "…"
    return [joiner.join(first), rest] if rest else [joiner.join(first)]


def _lines(x: float, y: float, lines: list[str], *, anchor: str = "start", color: str = INK, size: int = 11,
           leading: int = 13) -> str:
    """Text over one or two lines, centred on ``y``."""
    top = y - (len(lines) - 1) * leading / 2
    return "".join(_text(x, top + i * leading, line, anchor=anchor, color=color, size=size)
                   for i, line in enumerate(lines))


def _empty(title: str, message: str) -> SafeString:
    return _svg(WIDTH, 60, title, [_text(WIDTH / 2, 34, message, anchor="middle")])


def _legend(entries: list[tuple[str, str]], *, top: float, width: int = WIDTH,
            left: int = LEFT) -> tuple[list[str], float]:
    """Legend entries side by side, wrapping onto another line rather than running off the figure."""
    body, lx, ly = [], float(left), top
    for name, color in entries:
        entry = _text_width(name, 11) + 24
        if lx + entry > width and lx > left:
            lx, ly = float(left), ly + 15
        body.append(_text(lx, ly, name, color=color))
        lx += entry
    return body, ly


def _marker_shapes(*, statements: Sequence[dict], breaches: Sequence[dict], x, bottom: float) -> list[str]:
    """Statements as dashed lines numbered S1, S2 … (as in the table below the chart); off-script posts dotted,
    in purple, with a diamond; deadline breaches solid, in dark red, with a triangle: told apart in grey print."""
    body = []
    for b in breaches:
        bx = x(b["due_at"])
        body.append(f'<g><title>{escape(_("Deadline breached:"))} {escape(b["name"])}</title>'
                    f'<line x1="{bx:.1f}" y1="{TOP}" x2="{bx:.1f}" y2="{bottom}" stroke="{BREACH}" stroke-width="1.5"/>'
                    f'<path d="M{bx:.1f} {bottom - 9:.1f} l-5 9 h10 z" fill="{BREACH}"/></g>')
    for number, s in enumerate(statements, start=1):
        sx = x(s["published_at"])
        color, dash = (OFF_SCRIPT, "1 3") if s.get("is_off_script") else (STATEMENT, "4 3")
        body.append(f'<line x1="{sx:.1f}" y1="{TOP}" x2="{sx:.1f}" y2="{bottom}" stroke="{color}" '
                    f'stroke-dasharray="{dash}" stroke-width="1.5"/>')
        if s.get("is_off_script"):
            body.append(f'<path d="M{sx:.1f} {TOP} l5 6 l-5 6 l-5 -6 z" fill="{OFF_SCRIPT}"/>')
        body.append(_text(sx + 6, TOP + 12 + (number - 1) % 4 * 12, f"S{number}", color=color))
    return body


def _time_axis(*, start: datetime, span: float, plot_w: float, bottom: float, zone: str | None) -> list[str]:
    """Hours since the first public signal, as the playbook counts, over the wall clock in the incident's zone."""
    body = []
    hours = span / 3600
    step = next(s for s in (1, 2, 4, 6, 12, 24, 48, 96, 10**6) if hours / s <= 8)
    tick = 0
    while tick <= hours:
        tx = LEFT + tick * 3600 / span * plot_w
        body.append(_text(tx, bottom + 14, f"T+{tick}h", anchor="middle"))
        if zone:
            wall = (start + timedelta(hours=tick)).astimezone(zoneinfo.ZoneInfo(zone))
            body.append(_text(tx, bottom + 26, f"{wall:%m-%d %H:%M}" if step >= 24 else f"{wall:%H:%M}",
                              anchor="middle", color="#666", size=10))
        tick += step
    return body


def sentiment_svg(*, points: Sequence[dict], statements: Sequence[dict], start: datetime,
                  breaches: Sequence[dict] = (), zone: str | None = None,
                  measure: ChartMeasure = DEFAULT_MEASURE) -> SafeString:
    """The picked measure (left axis) as a line; with negative share, volume (right axis) as bars; statements,
    off-script posts and deadline breaches as markers: the room's chart (crisis/web/chart.py), for the record.

    ``points`` carry measured_at and the measures; ``statements`` carry published_at and is_off_script;
    ``breaches`` carry due_at and name. The x axis is hours since the first public signal, which is how the
    playbook counts, with the wall clock in the incident's ``zone`` under each hour.
    """
    title = (_("Sentiment with statements overlaid") if measure == DEFAULT_MEASURE
             else _("%(measure)s with statements overlaid") % {"measure": measure.label})
    if not points:
        return _empty(title, _("No sentiment checkpoints were recorded."))
    moments = ([p["measured_at"] for p in points] + [s["published_at"] for s in statements]
               + [b["due_at"] for b in breaches])
    end = max([*moments, start])
    span = max((end - start).total_seconds(), 3600.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h

    def x(moment: datetime) -> float:
        return LEFT + max(0.0, (moment - start).total_seconds()) / span * plot_w

    values = [(p["measured_at"], p.get(measure.field)) for p in points]
    values = [(moment, value) for moment, value in values if value is not None]
    low, high = value_range(measure, [value for _m, value in values], None)

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * plot_h

    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{GRID}"/>']
    for value in tick_values(measure, low, high)[1 if measure.kind == "share" else 0:]:
        body.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}" stroke="{GRID}"/>')
        body.append(_text(LEFT - 6, y(value) + 4, measure_tick(measure, value), anchor="end"))
    body += _time_axis(start=start, span=span, plot_w=plot_w, bottom=bottom, zone=zone)
    legend = [("— " + (_("negative share") if measure == DEFAULT_MEASURE else str(measure.label)), NEGATIVE)]
    if measure == DEFAULT_MEASURE:
        body += _volume_bars(points, x=x, bottom=bottom, plot_w=plot_w, plot_h=plot_h)
        if any(p["mention_volume"] is not None for p in points):
            legend.append(("▮ " + _("mention volume"), "#56718c"))
    body += _marker_shapes(statements=statements, breaches=breaches, x=x, bottom=bottom)
    line = [f"{x(moment):.1f},{y(value):.1f}" for moment, value in values]
    if len(line) > 1:
        body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{NEGATIVE}" stroke-width="2"/>')
    body.extend(f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="2.5" fill="{NEGATIVE}"/>' for c in line)
    if not line:
        body.append(_text(LEFT + plot_w / 2, TOP + plot_h / 2, _("No checkpoint has a value for this measure."),
                          anchor="middle"))
    if any(not s.get("is_off_script") for s in statements):
        legend.append(("┆ " + _("statement published (S1, S2 …)"), STATEMENT))
    if any(s.get("is_off_script") for s in statements):
        legend.append(("◆ " + _("off-script post"), OFF_SCRIPT))
    if breaches:
        legend.append(("▲ " + _("deadline breached"), BREACH))
    legend_body, last_line = _legend(legend, top=bottom + (44 if zone else 32))
    return _svg(WIDTH, int(last_line + 8), title, body + legend_body)


def _volume_bars(points: Sequence[dict], *, x, bottom: float, plot_w: float, plot_h: float) -> list[str]:
    volumes = [p["mention_volume"] for p in points if p["mention_volume"] is not None]
    if not volumes or not max(volumes):
        return []
    top_volume = max(volumes)
    bar_w = max(2.0, min(14.0, plot_w / max(len(points), 1) * 0.6))
    body = []
    for p in points:
        if p["mention_volume"] is None:
            continue
        h = p["mention_volume"] / top_volume * plot_h
        body.append(f'<rect x="{x(p["measured_at"]) - bar_w / 2:.1f}" y="{bottom - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{VOLUME}" opacity="0.8"/>')
    body.append(_text(LEFT + plot_w + 6, TOP + 10, f"{top_volume:,}", color="#56718c"))
    return body


def measures_charted(points: Sequence[dict]) -> list[ChartMeasure]:
    """The measures besides negative share that have at least one value: each gets its own figure."""
    return [m for m in CHART_MEASURES[1:] if any(p.get(m.field) is not None for p in points)]


def bar_svg(*, title: str, bars: Sequence[tuple[str, float | None]], unit: str = "", maximum: float | None = None,
            empty: str = "") -> SafeString:
    """Horizontal bars, one per label: easy to read with long (translated) step names."""
    values = [v for _label, v in bars if v is not None]
    if not values:
        return _empty(title, empty or _("No data yet."))
    top = maximum or max(values) or 1
    row_h, label_w = 22, 300
    height = TOP + row_h * len(bars) + 10
    plot_w = WIDTH - label_w - 80
    body = []
    for index, (label, value) in enumerate(bars):
        y = TOP + index * row_h
        body.append(_text(label_w - 8, y + 14, label[:48], anchor="end"))
        if value is None:
            body.append(_text(label_w + 4, y + 14, "–"))
            continue
        w = max(0.0, value) / top * plot_w
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{PALETTE[0]}"/>')
        body.append(_text(label_w + w + 6, y + 14, f"{value:g}{unit}"))
    return _svg(WIDTH, height, title, body)


NARROW_WIDTH = 360


def _text_width(text: str, size: int) -> float:
    """About how wide ``text`` sets in a sans-serif at ``size`` (CJK characters are square)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def compliance_svg(*, title: str, rows: Sequence[tuple[str, int, int, int]], legend: tuple[str, str, str],
                   empty: str = "", narrow: bool = False) -> SafeString:
    """One horizontal bar per step, split into deadlines met on time, done late and missed.

    Each bar is the step's share (100 % wide), so steps with few and many deadlines compare; the counts are
    written in the segments wide enough to hold them, and on time / total at the bar's end. ``narrow`` draws
    for a phone (360 wide, each step's name above its bar) so that its type is not scaled down to nothing.
    """
    rows = [row for row in rows if sum(row[1:])]
    if not rows:
        return _empty(title, empty or _("No data yet."))
    width = NARROW_WIDTH if narrow else WIDTH
    label_w = 4 if narrow else 250
    plot_w = width - label_w - 52
    colors = (ON_TIME, LATE, MISSED)
    body = []
    # The legend on its own line(s) above the bars, each entry as wide as its words: never cut.
    lx, ly = label_w, TOP
    for name, color in zip(legend, colors, strict=True):
        entry = 17 + _text_width(name, 12) + 20
        if lx + entry > width and lx > label_w:
            lx, ly = label_w, ly + 20
        body.append(f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{color}"/>')
        body.append(_text(lx + 17, ly + 10, name, size=12))
        lx += entry
    y = ly + 26
    for label, *counts in rows:
        lines = _wrap(label, 50 if narrow else 34)
        if narrow:
            body.append(_lines(label_w, y + 10 + (len(lines) - 1) * 6.5, lines, size=12))
            y += 15 * len(lines)
            bar_h = 24
        else:
            bar_h = 34
            body.append(_lines(label_w - 10, y + bar_h / 2 + 4, lines, anchor="end", size=12))
        total, x = sum(counts), float(label_w)
        for count, color in zip(counts, colors, strict=True):
            if not count:
                continue
            w = count / total * plot_w
            body.append(f'<rect x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="{bar_h - 10}" fill="{color}">'
                        f"<title>{escape(label)}: {count}</title></rect>")
            if w >= 10 + 8 * len(str(count)):
                ink = "#1b1b1b" if color == LATE else "#fff"
                body.append(_text(x + w / 2, y + bar_h / 2 + 4, str(count), anchor="middle", color=ink, size=12))
            x += w
        body.append(_text(label_w + plot_w + 6, y + bar_h / 2 + 4, f"{counts[0]}/{total}", size=12))
        y += bar_h + (8 if narrow else 0)
    return _svg(width, int(y + 8), title, body)


def line_svg(*, title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
             unit: str = "", maximum: float | None = None, empty: str = "") -> SafeString:
    """One line per series over ordered categories (quarters)."""
    values = [v for _name, vs in series for v in vs if v is not None]
    if not categories or not values:
        return _empty(title, empty or _("No data yet."))
    top = maximum or max(values) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT - 120, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    slot = plot_w / max(len(categories) - 1, 1)
    x0 = LEFT if len(categories) > 1 else LEFT + plot_w / 2
    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{GRID}"/>']
    for fraction in (0.5, 1.0):
        y = bottom - fraction * plot_h
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(LEFT - 6, y + 4, f"{top * fraction:g}{unit}", anchor="end"))
    for index, category in enumerate(categories):
        body.append(_text(x0 + index * slot, bottom + 16, category, anchor="middle"))
    for number, (name, vs) in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        coords = [f"{x0 + i * slot:.1f},{bottom - v / top * plot_h:.1f}" for i, v in enumerate(vs) if v is not None]
        if len(coords) > 1:
            body.append(f'<polyline points="{" ".join(coords)}" fill="none" stroke="{color}" stroke-width="2"/>')
        body.extend(f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="3" fill="{color}"/>' for c in coords)
        body.append(_lines(LEFT + plot_w + 8, TOP + 12 + number * 28, _wrap(name, 20), color=color))
    return _svg(WIDTH, HEIGHT, title, body)


def scatter_svg(*, title: str, points: Sequence[tuple[float, float, str]], x_label: str, y_label: str,
                empty: str = "") -> SafeString:
    """Each incident as a dot: x and y in minutes, with the incident's name as the dot's tooltip."""
    if not points:
        return _empty(title, empty or _("No data yet."))
    top_x = max(p[0] for p in points) or 1
    top_y = max(p[1] for p in points) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{GRID}"/>',
            _text(LEFT - 6, TOP + 8, f"{top_y:g}", anchor="end"), _text(LEFT - 6, bottom, "0", anchor="end"),
            _text(LEFT + plot_w, bottom + 16, f"{top_x:g}", anchor="end"),
            _text(LEFT + plot_w / 2, bottom + 16, x_label, anchor="middle"),
            _text(LEFT + 4, TOP + 12, y_label)]
    for px, py, label in points:
        cx, cy = LEFT + px / top_x * plot_w, bottom - py / top_y * plot_h
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{PALETTE[0]}" opacity="0.7">'
                    f"<title>{escape(label)}</title></circle>")
    return _svg(WIDTH, HEIGHT, title, body)
