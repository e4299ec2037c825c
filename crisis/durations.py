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


def duration_units() -> dict[str, str]:
    """The patterns of each unit in the reader's language; the room hands them to desk.js, whose ticking clocks
    must read like the server's (the same catalogue entries as duration_label)."""
    return {"d": _("%(n)d d"), "h": _("%(n)d h"), "min": _("%(n)d min"), "s": _("%(n)d s")}


def _unit(key: str, n: int) -> str:
    return duration_units()[key] % {"n": n}


def elapsed_label(seconds: float) -> str:
    """A running clock: "1:02:03" under a day, "4 d 00:00:02" past one (never "5760:00:02")."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 else ""
    if days:
        return f"{sign}{_unit('d', days)} {hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def countdown_label(seconds: float) -> str:
    """Time left (or overdue) with its units, the two largest that matter: "4 h 20 min", "4 min 20 s", "2 d 3 h"."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{_unit('d', days)} {_unit('h', hours)}"
    if hours:
        return f"{_unit('h', hours)} {_unit('min', minutes)}"
    if minutes:
        return f"{_unit('min', minutes)} {_unit('s', secs)}"
    return _unit("s", secs)
