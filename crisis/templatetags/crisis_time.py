from datetime import UTC

from django import template
from django.utils.html import format_html

from crisis.selectors import local_time

register = template.Library()


@register.simple_tag
def in_zone(moment, zone: str, fmt: str = "%Y-%m-%d %H:%M"):
    """Show a UTC instant in the incident's zone, with UTC on hover."""
    if moment is None:
        return ""
    local = local_time(moment, zone)
    utc = moment.astimezone(UTC)
    return format_html(
        '<time datetime="{}" title="{} UTC">{} <small>{}</small></time>',
        moment.isoformat(), utc.strftime("%Y-%m-%d %H:%M"), local.strftime(fmt), local.tzname(),
    )
