import copy
import math
import zoneinfo

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crisis.models import Channel


class FiniteFloatField(serializers.FloatField):
    """JSON numbers only, and finite: 1e400 parses to infinity and the string "NaN" to NaN."""

    default_error_messages = {"finite": _("Expected a finite number."), "invalid": _("Expected a number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("finite")
        return value


class StrictIntegerField(serializers.IntegerField):
    """JSON integers only: "12" and 12.5 and true are type errors, as a schema would say."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text only: DRF would otherwise turn 12 into "12" and accept it."""

    default_error_messages = {"not_text": _("Expected text.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class WebAddressField(StrictCharField):
    """An http(s) address or nothing: a public_url or source_url is opened by people from the timeline."""

    default_error_messages = {"not_web_address": _("Give an http(s) address.")}
    # What the schema says of it (crisis.api.schema): blank, or http(s):// after any leading white space, which
    # the field trims. No NUL: DRF refuses it in any text.
    schema_pattern = r"^\s*(https?://[^\x00]*)?$"

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and not value.startswith(("http://", "https://")):
            self.fail("not_web_address")
        return value


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("Expected true or false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class YesNoFormField(forms.NullBooleanField):
    """true, false, or empty for no filter. Django's field reads anything else as "no filter" without a word."""

    widget = forms.TextInput  # the raw value: NullBooleanSelect would turn "429" into None before we see it

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true"):
            return True
        if value in (False, "false"):
            return False
        raise ValidationError(_("Expected true or false."), code="invalid")

    def validate(self, value):
        pass


class YesNoFilter(django_filters.BooleanFilter):
    """A boolean query filter that refuses ?is_open=429 with a 400, as the schema's boolean says."""

    field_class = YesNoFormField


# The zones this Python knows (validate_time_zone's list), named once in the schema as TimeZoneEnum.
TIME_ZONES = tuple(sorted(zoneinfo.available_timezones()))


class TimeZoneField(serializers.ChoiceField):
    """An IANA zone name, listed in the schema: "0" or "GMT+8" is a 400 a tool can foresee."""

    def __init__(self, **kwargs):
        super().__init__(choices=TIME_ZONES, **kwargs)


# The largest id any of our databases stores (a signed 64-bit integer); a larger one is no id, and SQLite
# would raise OverflowError on it rather than find nothing.
ID_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """A query filter on an id: a whole number from 1 up, or a 400 (?organization=1e400 used to be a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


def _field_clone(field: serializers.Field) -> serializers.Field:
    """A fresh, unbound copy of a declared field.

    DRF deep-copies each declared field by calling its __init__ again with deep copies of its arguments
    (choice lists, lazy translated strings): a sixth of the CPU of logging an event. A declared field
    is never bound or used itself, so a shallow copy of it is exactly what __init__ would make again;
    only what gets bound to a parent (a child field, a nested serializer's own fields) must be new.
    A child was bound to the declared field when that was made, so it is copied DRF's way.
    """
    clone = copy.copy(field)
    clone.__dict__.pop("fields", None)
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field):
        clone.child = copy.deepcopy(child)
        clone.child.bind(field_name="", parent=clone)
    return clone


class LeanSerializer(serializers.Serializer):
    """A plain Serializer whose per-instance field copies are cheap (see _field_clone)."""

    def get_fields(self):
        return {name: _field_clone(field) for name, field in self._declared_fields.items()}


class UserRefSerializer(LeanSerializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class AwareDateTimeField(serializers.DateTimeField):
    """A moment with its offset. "10:00" alone could be Beijing or UTC, eight hours apart; refuse to guess."""

    default_error_messages = {"naive": _("Give the time zone offset too, such as 2026-03-01T10:00:00+08:00.")}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # well-formed but impossible (month 13): the parent says so
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


# Every fact has two times (docs/playbook.md): when it happened in the world, which deadlines are judged on,
# and when it was entered here, which the audit keeps. Tools send the first; the server stamps the second.
HAPPENED_AT_HELP = _("When it happened (defaults to now).")
HAPPENED_HELP_OUT = _("When it happened in the world; deadlines are judged on this time.")
RECORDED_HELP_OUT = _("When it was entered here; kept for the audit, never used to judge a deadline.")


def happened_at_field(**kwargs) -> AwareDateTimeField:
    """An optional happened-at time: omitted means now; the service refuses the future and the implausibly early."""
    kwargs.setdefault("help_text", HAPPENED_AT_HELP)
    return AwareDateTimeField(required=False, **kwargs)


# An If-Match header as the views read it (crisis.api.views.incidents.if_match_version): an ETag they gave out,
# "3", weak or not; anything else is a 400.
IF_MATCH_SCHEMA = {"type": "string", "pattern": r'^\s*(W/)?"?[0-9]{1,9}"?\s*$'}


# The channel names, as one schema component for every field that takes or returns a channel. drf-spectacular
# makes it from the field named "channel" of statements; other fields refer to it rather than repeat the list
# under another name (AffectedChannelsEnum), so a client generates one channel type.
CHANNEL_ENUM_REF = {"$ref": "#/components/schemas/ChannelEnum"}


@extend_schema_field(CHANNEL_ENUM_REF)
class ChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Channel.choices, **kwargs)


class StrictInput(LeanSerializer):
    """Unknown fields are an error: a tool that sends ``negative_shares`` must hear about it."""

    default_error_messages = {"unknown": _("Unknown field.")}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [self.error_messages["unknown"]] for name in unknown})
        return super().to_internal_value(data)
