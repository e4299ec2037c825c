"""The incidents list's search and filters (django-filter), read in the organization's time zone."""

import zoneinfo
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crisis.models import Incident, IncidentStatus, Severity

SEARCH_MAX = 200


def day_start(day: date, zone: str) -> datetime:
    """Midnight of ``day`` on the wall clocks of ``zone``, as an aware instant (the database compares in UTC)."""
    return datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(zone))


class IncidentFilter(django_filters.FilterSet):
    """``zone`` is the organization's: "signal from 3 March" means from midnight there, not in UTC."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Title or summary")}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices, empty_label=_("Any"))
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("Any"))
    signal_from = django_filters.DateFilter(label=_("First public signal from"), method="signal_on_or_after",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    signal_to = django_filters.DateFilter(label=_("First public signal until"), method="signal_on_or_before",
                                          widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Incident
        fields = ["q", "status", "severity", "signal_from", "signal_to"]

    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def search(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        # Every word must appear, in the title or the summary: "train smoke" finds "Smoke on a train".
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
        return queryset

    def signal_on_or_after(self, queryset: QuerySet[Incident], name: str, value: date) -> QuerySet[Incident]:
        return queryset.filter(first_public_signal_at__gte=day_start(value, self.zone))

    def signal_on_or_before(self, queryset: QuerySet[Incident], name: str, value: date) -> QuerySet[Incident]:
        # The whole of the last day counts: until the next midnight there.
        return queryset.filter(first_public_signal_at__lt=day_start(value + timedelta(days=1), self.zone))
