from django import template

from crisis.health.heartbeat import engine_health as _engine_health

register = template.Library()


@register.simple_tag
def engine_health():
    """Whether a deadline engine swept recently (the newest heartbeat, cached for a few seconds)."""
    return _engine_health(cached=True)
