import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def default_time_zone() -> str:
    return settings.GOLDEN_HOURS_DEFAULT_TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value})
