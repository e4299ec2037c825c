"""Formatting shared by the report page, the HTML/PDF document and the Markdown renderer.

Every filter answers "–" for a missing value, whatever form the template hands it: Django passes
an empty string for a lookup that fails (``e.after.negative_share`` when there is no ``after``), and
a missing measurement must never turn a post-mortem into a 500.
"""

import zoneinfo
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_info, pgettext
from django.utils.translation import gettext as _

from crisis.durations import duration_label

register = template.Library()
MISSING = "–"


def _number(value) -> float | int | None:
    """The value if it is a number, else None (bools, strings and Django's invalid-lookup "" included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def local(moment: datetime | None, zone: str) -> str:
    """Stored in UTC, read in the incident's zone."""
    if not isinstance(moment, datetime):
        return MISSING
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def minutes(value: float | None) -> str:
    """A span as days, hours and minutes: "2 d 3 h 5 min"."""
    value = _number(value)
    return MISSING if value is None else duration_label(value)


def signed_minutes(value: float | None) -> str:
    """Against a target: "+1 h 10 min" late, "-3 min" ahead."""
    value = _number(value)
    if value is None:
        return MISSING
    label = duration_label(value)
    return f"+{label}" if value > 0 and label != duration_label(0) else label


def entered_later(value: float | None) -> str:
    """"entered 40 min later" for a fact entered more than a minute after it happened, else nothing."""
    value = _number(value)
    if value is None or value <= 1:
        return ""
    return _("entered %(span)s later") % {"span": duration_label(value)}


def share(value: float | None) -> str:
    value = _number(value)
    return MISSING if value is None else f"{value * 100:.1f}%"


def signed_points(value: float | None) -> str:
    """A change in a share, in percentage points: +4.0 pp."""
    value = _number(value)
    if value is None:
        return MISSING
    return _("%(v)s pp") % {"v": f"{value * 100:+.1f}"}


def signed_number(value: float | None) -> str:
    value = _number(value)
    return MISSING if value is None else f"{value:+,.0f}"


def number(value: float | None) -> str:
    value = _number(value)
    return MISSING if value is None else f"{value:,}"


def percent(value: float | None) -> str:
    value = _number(value)
    return MISSING if value is None else f"{value:+.1f}%"


def zoned_moment(moment: datetime | None, zone: str) -> str:
    """"2 Dec 11:00 (Asia/Shanghai)": day and month in the reader's language, the year only when it is not this
    one, and the zone by its name, which unlike "CST" means one place."""
    if not isinstance(moment, datetime):
        return MISSING
    tz = zoneinfo.ZoneInfo(zone)
    local_moment = moment.astimezone(tz)
    if local_moment.year == timezone.now().astimezone(tz).year:
        fmt = pgettext("day, month and time, as in 2 Dec 11:00", "j M H:i")
    else:
        fmt = pgettext("day, month, year and time, as in 2 Dec 2025 11:00", "j M Y H:i")
    return _("%(moment)s (%(zone)s)") % {"moment": date_format(local_moment, fmt), "zone": zone}


def report_file_label(report_file, zone: str) -> str:
    """What a download is: "PDF · 简体中文 · generated 2 Dec 11:00 (Asia/Shanghai)".

    The language is named in itself, as the language menu does, so that a reader finds their own.
    """
    try:
        language = get_language_info(report_file.language)["name_local"]
    except KeyError:
        language = report_file.language
    return _("%(format)s · %(language)s · generated %(moment)s") % {
        "format": report_file.get_format_display(), "language": language,
        "moment": zoned_moment(report_file.finished_at, zone)}


register.filter("local", local)
register.filter("zoned_moment", zoned_moment)
register.filter("report_file_label", report_file_label)
register.filter("minutes", minutes)
register.filter("signed_minutes", signed_minutes)
register.filter("entered_later", entered_later)
register.filter("share", share)
register.filter("signed_points", signed_points)
register.filter("signed_number", signed_number)
register.filter("number", number)
register.filter("percent", percent)
