"""Checks shared by services, collecting every field's reason before failing once."""

import json
import math
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from crisis import clock

from .errors import InvalidInput

# Clocks on phones and listening tools drift; a few minutes "in the future" is a drift, not a typo.
FUTURE_SKEW = timedelta(minutes=5)
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=UTC)
# A fact about an incident may predate its first public signal (a pre-crisis sentiment baseline, an
# internal warning), but not by months: that is a mistyped year or month.
BEFORE_SIGNAL_ALLOWANCE = timedelta(days=30)
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


class FieldErrors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise InvalidInput(first, fields=self.fields)


def check_moment(errors: FieldErrors, field: str, value: datetime | None, *, required: bool = True) -> None:
    if value is None:
        if required:
            errors.add(field, _("This field is required."))
        return
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors.add(field, _("Give a date and time with a time zone."))
        return
    try:
        moment_in_utc(value)
    except ValueError as exc:
        errors.add(field, str(exc))
        return
    if value > clock.now() + FUTURE_SKEW:
        errors.add(field, _("This time is in the future."))
    elif value < EARLIEST_PLAUSIBLE:
        errors.add(field, _("This time is implausibly far in the past."))


def check_happened_at(errors: FieldErrors, field: str, value: datetime | None, *, first_public_signal_at: datetime,
                      required: bool = True) -> None:
    """When a fact about an incident happened: not in the future (beyond clock skew), not implausibly
    long before the incident's first public signal."""
    check_moment(errors, field, value, required=required)
    if field in errors.fields or value is None:
        return
    if value < first_public_signal_at - BEFORE_SIGNAL_ALLOWANCE:
        errors.add(field, _("This is more than %(days)d days before the first public signal (%(signal)s); "
                            "check the date.") % {"days": BEFORE_SIGNAL_ALLOWANCE.days,
                                                 "signal": first_public_signal_at.astimezone(UTC).isoformat()})


def check_text(errors: FieldErrors, field: str, value, *, max_length: int, required: bool = True) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, _("This field is required."))
        return
    if not isinstance(value, str):
        errors.add(field, _("Expected text."))
    elif len(value) > max_length:
        errors.add(field, _("At most %(n)d characters.") % {"n": max_length})


def check_number(errors: FieldErrors, field: str, value, *, minimum=None, maximum=None, integer=False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.add(field, _("Expected a number."))
        return
    if integer and not (isinstance(value, int) or float(value).is_integer()):
        errors.add(field, _("Expected a whole number."))
        return
    if isinstance(value, float) and not math.isfinite(value):
        errors.add(field, _("Expected a finite number."))
        return
    if minimum is not None and value < minimum:
        errors.add(field, _("Must be at least %(n)s.") % {"n": minimum})
    elif maximum is not None and value > maximum:
        errors.add(field, _("Must be at most %(n)s.") % {"n": maximum})


def check_choice(errors: FieldErrors, field: str, value, choices) -> None:
    # True == 1, so without the bool check a JSON `true` would pass as SEV1.
    if isinstance(value, bool) or value not in choices.values:
        errors.add(
            field,
            _("%(value)r is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(map(str, choices.values))},
        )


def check_json(errors: FieldErrors, field: str, value, *, max_length: int) -> None:
    """A JSON object we can store on every database: PostgreSQL refuses NaN and Infinity in jsonb."""
    if not isinstance(value, dict):
        errors.add(field, _("Must be an object."))
        return
    try:
        encoded = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        errors.add(field, _("Use only text, finite numbers, true/false, null, lists and objects."))
        return
    if len(encoded) > max_length:
        errors.add(field, _("At most %(n)d characters once encoded.") % {"n": max_length})
