"""A moment shown where it happened: the wall clock of a zone, labelled with the zone's name, UTC on hover.

The zone's name ("Asia/Shanghai") and not its abbreviation ("CST", which is also Chicago and Havana): a page
read at 2 a.m. by people in several countries must not leave them guessing.
"""

import zoneinfo
from datetime import UTC, datetime

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def zoned_time(moment: datetime | None, zone: str | None, fmt: str = "%Y-%m-%d %H:%M:%S"):
    if not isinstance(moment, datetime):
        return "–"
    zone = zone or "UTC"
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return format_html('<time datetime="{}" title="{} UTC">{} <small class="zone">{}</small></time>',
                       moment.isoformat(), moment.astimezone(UTC).strftime(fmt), local.strftime(fmt), zone)
