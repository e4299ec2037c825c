"""Spans of time as people read them: "2 d 3 h 5 min", not "2.84893e+06 min"."""

from datetime import datetime

from django.utils.translation import gettext as _


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    """Signed minutes from ``start`` to ``end``, to the tenth of a minute; None when either is unknown."""
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


def duration_label(minutes: float | None) -> str:
    """Whole minutes as days, hours and minutes (sign kept); "–" when unknown, "0 min" under a minute."""
    if minutes is None:
        return "–"
    sign = "-" if minutes < 0 else ""
    total = int(abs(minutes) + 0.5)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)d min") % {"n": mins})
    return sign + " ".join(parts)
