"""Formatting shared by the report page, the HTML/PDF document and the Markdown renderer."""

import zoneinfo
from datetime import datetime

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def local(moment: datetime | None, zone: str) -> str:
    """Stored in UTC, read in the incident's zone."""
    if moment is None:
        return "–"
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def minutes(value: float | None) -> str:
    if value is None:
        return "–"
    shown = f"{value:g}" if value != int(value) else f"{int(value)}"
    return _("%(m)s min") % {"m": shown}


def signed_minutes(value: float | None) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    shown = f"{value:g}" if value != int(value) else f"{int(value)}"
    return _("%(m)s min") % {"m": f"{sign}{shown}"}


def share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def signed_points(value: float | None) -> str:
    """A change in a share, in percentage points: +4.0 pp."""
    if value is None:
        return "–"
    return _("%(v)s pp") % {"v": f"{value * 100:+.1f}"}


def signed_number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+,.0f}"


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:,}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}%"


register.filter("local", local)
register.filter("minutes", minutes)
register.filter("signed_minutes", signed_minutes)
register.filter("share", share)
register.filter("signed_points", signed_points)
register.filter("signed_number", signed_number)
register.filter("number", number)
register.filter("percent", percent)
