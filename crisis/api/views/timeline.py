import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from crisis.models import EventKind, TimelineEvent
from crisis.services import timeline as service

from ..base import ApiView, get_or_404
from ..fields import (
    AwareDateTimeField,
    StrictBooleanField,
    StrictCharField,
    StrictInput,
    WebAddressField,
    YesNoFilter,
    happened_at_field,
)
from ..filters import UtcIsoDateTimeFilter
from ..representations import TimelineEventOut
from ..scoping import incident_for_write, scoped_events, scoped_incidents


class TimelineEventFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    occurred_after = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label=gettext_lazy("Occurred at or after")
    )
    occurred_before = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label=gettext_lazy("Occurred before")
    )
    is_pinned = YesNoFilter()

    class Meta:
        model = TimelineEvent
        fields = ["kind", "occurred_after", "occurred_before", "is_pinned"]


class IncidentEventListCreateView(ApiView):
    queryset = TimelineEvent.objects.none()
    filterset_class = TimelineEventFilter
    # The timeline reads forward in time, as it happened.
    ordering = ("occurred_at", "id")

    class InputSerializer(StrictInput):
        kind = serializers.ChoiceField(
            choices=EventKind.choices, default=EventKind.NOTE,
            help_text=gettext_lazy("An acknowledgement acknowledges the incident at its occurred_at."),
        )
        body = StrictCharField(max_length=service.BODY_MAX)
        occurred_at = happened_at_field()
        source_url = WebAddressField(max_length=service.URL_MAX, required=False, allow_blank=True, default="")
        metadata = serializers.DictField(required=False)
        is_pinned = StrictBooleanField(required=False, default=False)

    @extend_schema(operation_id="events_list", responses=TimelineEventOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_events(request.user).filter(incident=incident), TimelineEventOut)

    @extend_schema(operation_id="events_create", request=InputSerializer, responses={201: TimelineEventOut})
    def post(self, request, incident_id: int):
        incident = incident_for_write(request.user, incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = service.timeline_event_log(incident=incident, actor=request.user, **data.validated_data)
        return self.respond(TimelineEventOut(event, context={"just_created": True}).data,
                            status_code=status.HTTP_201_CREATED)


class EventDetailView(ApiView):
    @extend_schema(operation_id="events_retrieve", responses=TimelineEventOut)
    def get(self, request, event_id: int):
        event = get_or_404(scoped_events(request.user), pk=event_id)
        return self.respond(TimelineEventOut(event).data)


class EventCorrectView(ApiView):
    class InputSerializer(StrictInput):
        body = StrictCharField(max_length=service.BODY_MAX)
        occurred_at = AwareDateTimeField(
            required=False, help_text=gettext_lazy("When it happened (defaults to the time of the line it corrects).")
        )
        reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="events_correct", request=InputSerializer, responses={201: TimelineEventOut})
    def post(self, request, event_id: int):
        event = get_or_404(scoped_events(request.user), pk=event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = service.timeline_event_correct(event=event, actor=request.user, **data.validated_data)
        correction = get_or_404(scoped_events(request.user), pk=correction.pk)
        return self.respond(TimelineEventOut(correction).data, status_code=status.HTTP_201_CREATED)


class EventPinView(ApiView):
    class InputSerializer(StrictInput):
        is_pinned = StrictBooleanField(default=True)

    @extend_schema(operation_id="events_pin", request=InputSerializer, responses=TimelineEventOut)
    def post(self, request, event_id: int):
        event = get_or_404(scoped_events(request.user), pk=event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = service.timeline_event_pin(event=event, actor=request.user, is_pinned=data.validated_data["is_pinned"])
        return self.respond(TimelineEventOut(event).data)
