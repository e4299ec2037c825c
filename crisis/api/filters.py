"""Time filters for API lists: any moment a client can write, checked before it reaches the database."""

from datetime import UTC, datetime, timedelta

import django_filters
from django import forms
from django.utils.translation import gettext as _

# No time zone on Earth is further from UTC than 14 hours (Kiribati, +14:00). Python parses offsets up to
# 23:59 and PostgreSQL refuses those beyond 15:59 with an error, so the line is drawn where real clocks stop.
MAX_UTC_OFFSET = timedelta(hours=14)


def moment_in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; ValueError (with a message for people) for an offset no clock uses or a year out of range.

    Converting here rather than in the database keeps a far offset from crossing year 1 or 9999 there."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError(_("The time zone offset must be between -14:00 and +14:00."))
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(_("The time is outside the years 1 to 9999 once converted to UTC.")) from exc


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment_in_utc(moment)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time filter whose value is an aware UTC moment the database can compare, or a 400."""

    field_class = UtcIsoDateTimeField
