import re

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status

from crisis.models import OPEN_STATUSES, Channel, Incident, IncidentStatus, Severity
from crisis.services import incidents as service
from crisis.services.errors import ConcurrentUpdate, InvalidInput

from ..base import ApiView, get_or_404
from ..fields import (
    IF_MATCH_SCHEMA,
    AwareDateTimeField,
    ChannelField,
    IdFilter,
    StrictCharField,
    StrictInput,
    StrictIntegerField,
    TimeZoneField,
    YesNoFilter,
    happened_at_field,
)
from ..filters import UtcIsoDateTimeFilter
from ..representations import IncidentOut
from ..scoping import scoped_incidents, scoped_organizations

IF_MATCH = OpenApiParameter(
    "If-Match", IF_MATCH_SCHEMA, OpenApiParameter.HEADER, required=False,
    description=gettext_lazy("The ETag (incident version) you edited; a newer version on the server gives 409."),
)


def etag_headers(incident: Incident) -> dict[str, str]:
    return {"ETag": f'"{incident.version}"'}


def if_match_version(request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', header)
    if not match:
        raise InvalidInput(_("If-Match must be the ETag you received, such as \"3\"."), field="version")
    return int(match.group(1))


def member_or_error(organization, user_id: int | None, field: str):
    """The person named in a field, or a field error; never says whether an outsider's account exists."""
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, memberships__organization=organization).first()
    if user is None:
        raise InvalidInput(_("This person is not a member of the organization."), field=field)
    return user


class IncidentFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    is_open = YesNoFilter(method="filter_is_open", label=pgettext_lazy("incident filter", "Open"))
    signal_after = UtcIsoDateTimeFilter(field_name="first_public_signal_at", lookup_expr="gte")
    signal_before = UtcIsoDateTimeFilter(field_name="first_public_signal_at", lookup_expr="lt")

    class Meta:
        model = Incident
        fields = ["organization", "status", "severity", "is_open", "signal_after", "signal_before"]

    def filter_is_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)


class IncidentListCreateView(ApiView):
    queryset = Incident.objects.none()
    filterset_class = IncidentFilter
    ordering = ("-first_public_signal_at", "-id")

    class InputSerializer(StrictInput):
        organization = StrictIntegerField()
        title = StrictCharField(max_length=300)
        summary = StrictCharField(max_length=20_000, required=False, allow_blank=True, default="")
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.SEV3)
        status = serializers.ChoiceField(
            choices=[IncidentStatus.MONITORING, IncidentStatus.ACTIVE], default=IncidentStatus.ACTIVE
        )
        first_public_signal_at = AwareDateTimeField()
        detected_at = AwareDateTimeField(required=False)
        commander = StrictIntegerField(required=False, allow_null=True)
        spokesperson = StrictIntegerField(required=False, allow_null=True)
        affected_channels = serializers.ListField(child=ChannelField(), max_length=len(Channel), required=False)
        tags = serializers.ListField(child=StrictCharField(max_length=50), max_length=50, required=False)
        time_zone = TimeZoneField(required=False)

    @extend_schema(operation_id="incidents_list", responses=IncidentOut(many=True))
    def get(self, request):
        return self.list_response(scoped_incidents(request.user), IncidentOut)

    @extend_schema(operation_id="incidents_create", request=InputSerializer, responses={201: IncidentOut})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = get_or_404(scoped_organizations(request.user), pk=fields.pop("organization"))
        fields["commander"] = member_or_error(organization, fields.pop("commander", None), "commander")
        fields["spokesperson"] = member_or_error(organization, fields.pop("spokesperson", None), "spokesperson")
        incident = service.incident_open(organization=organization, actor=request.user, **fields)
        return self.respond(IncidentOut(incident).data, status_code=status.HTTP_201_CREATED,
                            headers=etag_headers(incident))


class IncidentDetailView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(required=False, help_text=gettext_lazy("The version you edited."))
        title = StrictCharField(max_length=300, required=False)
        summary = StrictCharField(max_length=20_000, required=False, allow_blank=True)
        first_public_signal_at = AwareDateTimeField(required=False)
        commander = StrictIntegerField(required=False, allow_null=True)
        spokesperson = StrictIntegerField(required=False, allow_null=True)
        affected_channels = serializers.ListField(child=ChannelField(), max_length=len(Channel), required=False)
        tags = serializers.ListField(child=StrictCharField(max_length=50), max_length=50, required=False)
        time_zone = TimeZoneField(required=False)

    @extend_schema(operation_id="incidents_retrieve", responses=IncidentOut)
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.respond(IncidentOut(incident).data, headers=etag_headers(incident))

    @extend_schema(operation_id="incidents_partial_update", request=InputSerializer, responses=IncidentOut,
                   parameters=[IF_MATCH])
    def patch(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        body_version, header_version = fields.pop("version", None), if_match_version(request)
        expected = header_version if header_version is not None else body_version
        if expected is None:
            # Without it, two people editing at 2 a.m. silently overwrite each other.
            raise InvalidInput(_("Send the version you edited (the version field or an If-Match header)."),
                               field="version")
        for field in ("commander", "spokesperson"):
            if field in fields:
                fields[field] = member_or_error(incident.organization, fields[field], field)
        incident = service.incident_update_details(
            incident=incident, actor=request.user, expected_version=expected, **fields
        )
        return self.respond(IncidentOut(incident).data, headers=etag_headers(incident))


def _check_version(incident: Incident, expected: int | None) -> None:
    if expected is not None and expected != incident.version:
        raise ConcurrentUpdate(_("Somebody else changed this incident first; reload and try again."),
                               field="version")


class IncidentTransitionView(ApiView):
    class InputSerializer(StrictInput):
        status = serializers.ChoiceField(choices=IncidentStatus.choices)
        note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
        version = StrictIntegerField(required=False)
        # A resolution entered after the fact: the deadlines that fell due before it are judged up to it.
        occurred_at = happened_at_field()
        # Resolving or closing while post-mortem action items are open is refused (400 on this field, naming
        # them) unless this is true; the items stay owed and keep paging their owners.
        confirm_open_items = serializers.BooleanField(required=False, default=False)

    @extend_schema(operation_id="incidents_transition", request=InputSerializer, responses=IncidentOut)
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _check_version(incident, data.validated_data.get("version"))
        incident = service.incident_transition(incident=incident, actor=request.user,
                                               to_status=data.validated_data["status"],
                                               note=data.validated_data["note"],
                                               occurred_at=data.validated_data.get("occurred_at"),
                                               confirmed=_confirmed(data.validated_data))
        return self.respond(IncidentOut(incident).data, headers=etag_headers(incident))


def _confirmed(data: dict) -> set[str]:
    return {"open_items"} if data["confirm_open_items"] else set()


class IncidentAcknowledgeView(ApiView):
    """Take ownership; a chat bot may post no body at all. The earliest acknowledgement counts: a later one
    changes nothing, an earlier one entered afterwards moves the record back to when it happened."""

    class InputSerializer(StrictInput):
        acknowledged_at = happened_at_field()
        note = StrictCharField(max_length=20_000, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="incidents_acknowledge", request=InputSerializer, responses=IncidentOut)
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = service.incident_acknowledge(incident=incident, actor=request.user,
                                                acknowledged_at=data.validated_data.get("acknowledged_at"),
                                                note=data.validated_data["note"])
        return self.respond(IncidentOut(incident).data, headers=etag_headers(incident))


class IncidentSeverityView(ApiView):
    class InputSerializer(StrictInput):
        severity = serializers.ChoiceField(choices=Severity.choices)
        reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
        version = StrictIntegerField(required=False)

    @extend_schema(operation_id="incidents_change_severity", request=InputSerializer, responses=IncidentOut)
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _check_version(incident, data.validated_data.get("version"))
        incident = service.incident_change_severity(incident=incident, actor=request.user,
                                                    severity=data.validated_data["severity"],
                                                    reason=data.validated_data["reason"])
        return self.respond(IncidentOut(incident).data, headers=etag_headers(incident))
