"""Charts drawn on the server as inline SVG: the same markup on the page, in the PDF and in print.

No chart library and no script: WeasyPrint renders inline SVG, and a post-mortem must still read
the same in five years. Every label is escaped; numbers are formatted here.
"""

from collections.abc import Sequence
from datetime import datetime
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 60, 16, 40
NEGATIVE = "#c0392b"
VOLUME = "#9db4cc"
STATEMENT = "#2c7a4b"
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


def sentiment_svg(*, points: Sequence[dict], statements: Sequence[dict], start: datetime) -> SafeString:
    """Negative share (left axis) as a line, volume (right axis) as bars, statements as numbered markers.

    ``points`` carry measured_at, negative_share, mention_volume; ``statements`` carry published_at.
    The x axis is hours since the first public signal, which is how the playbook counts.
    """
    title = _("Sentiment with statements overlaid")
    moments = [p["measured_at"] for p in points] + [s["published_at"] for s in statements]
    if not points:
        return _empty(title, _("No sentiment checkpoints were recorded."))
    end = max([*moments, start])
    span = max((end - start).total_seconds(), 3600.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h

    def x(moment: datetime) -> float:
        return LEFT + max(0.0, (moment - start).total_seconds()) / span * plot_w

    volumes = [p["mention_volume"] for p in points if p["mention_volume"] is not None]
    top_volume = max(volumes) if volumes else 0
    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{GRID}"/>']
    for share in (0.25, 0.5, 0.75, 1.0):
        y = bottom - share * plot_h
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(LEFT - 6, y + 4, f"{share * 100:.0f}%", anchor="end"))
    hours = span / 3600
    step = next(s for s in (1, 2, 4, 6, 12, 24, 48, 96, 10**6) if hours / s <= 8)
    tick = 0
    while tick <= hours:
        tx = LEFT + tick * 3600 / span * plot_w
        body.append(_text(tx, bottom + 16, f"T+{tick}h", anchor="middle"))
        tick += step
    bar_w = max(2.0, min(14.0, plot_w / max(len(points), 1) * 0.6))
    if top_volume:
        for p in points:
            if p["mention_volume"] is None:
                continue
            h = p["mention_volume"] / top_volume * plot_h
            body.append(f'<rect x="{x(p["measured_at"]) - bar_w / 2:.1f}" y="{bottom - h:.1f}" width="{bar_w:.1f}" '
                        f'height="{h:.1f}" fill="{VOLUME}" opacity="0.8"/>')
        body.append(_text(LEFT + plot_w + 6, TOP + 10, f"{top_volume:,}", color="#56718c"))
    line = [f"{x(p['measured_at']):.1f},{bottom - p['negative_share'] * plot_h:.1f}"
            for p in points if p["negative_share"] is not None]
    if line:
        body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{NEGATIVE}" stroke-width="2"/>')
        body.extend(f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="2.5" fill="{NEGATIVE}"/>'
                    for c in line)
    for number, s in enumerate(statements, start=1):
        sx = x(s["published_at"])
        body.append(f'<line x1="{sx:.1f}" y1="{TOP}" x2="{sx:.1f}" y2="{bottom}" stroke="{STATEMENT}" '
                    f'stroke-dasharray="4 3"/>')
        body.append(_text(sx + 2, TOP + 12 + (number - 1) % 4 * 12, f"S{number}", color=STATEMENT))
    legend_y = HEIGHT - 8
    body.append(_text(LEFT, legend_y, "— " + _("negative share"), color=NEGATIVE))
    body.append(_text(LEFT + 160, legend_y, "▮ " + _("mention volume"), color="#56718c"))
    body.append(_text(LEFT + 320, legend_y, "┆ " + _("statement published (S1, S2 …)"), color=STATEMENT))
    return _svg(WIDTH, HEIGHT, title, body)


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
