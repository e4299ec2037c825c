"""Time filters for API lists: any moment a client can write, checked before it reaches the database."""

import django_filters
from django import forms

from crisis.services.validation import moment_in_utc


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
