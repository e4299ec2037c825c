import zoneinfo
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def default_time_zone() -> str:
    return settings.GOLDEN_HOURS_DEFAULT_TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value})


def wall_time_aware(wall: datetime, zone: str) -> datetime | None:
    """A wall-clock time read in ``zone``: the first of the two 01:30s on the night the clocks fall back
    (fold=0), and None for a time the clocks skipped when they sprang forward (02:30 never happened)."""
    tz = zoneinfo.ZoneInfo(zone)
    local = wall.replace(tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None
    return local
