"""Links between incidents ("the battery fire of March again"): list, link, unlink. Symmetrical: linking A to
B lists each in the other's related incidents; both timelines and the audit log say so.

Writes go through crisis.reports.links, the same functions as the desk's room.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from crisis.models import Incident
from crisis.reports.links import incident_link, incident_unlink

from ..base import ApiView, get_or_404
from ..fields import ID_MAX, ChannelField, StrictInput, StrictIntegerField
from ..scoping import scoped_incidents


class RelatedIncidentOut(serializers.ModelSerializer):
    affected_channels = serializers.ListField(child=ChannelField(), read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "title", "status", "severity", "first_public_signal_at", "resolved_at", "tags",
                  "affected_channels"]
        read_only_fields = fields


def _visible(request, incident_id: int) -> Incident | None:
    # Another organization's incident and a missing one look the same: the service refuses both (400).
    return scoped_incidents(request.user).filter(pk=incident_id).first()


class IncidentRelatedListView(ApiView):
    queryset = Incident.objects.none()

    class InputSerializer(StrictInput):
        related_incident = StrictIntegerField(min_value=1, max_value=ID_MAX, help_text=gettext_lazy(
            "The id of another incident of the same organization."))

    @extend_schema(operation_id="related_incidents_list", responses=RelatedIncidentOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(incident.related_incidents.order_by("-first_public_signal_at", "-id"),
                                  RelatedIncidentOut)

    @extend_schema(operation_id="related_incidents_create", request=InputSerializer,
                   responses={201: RelatedIncidentOut, 200: RelatedIncidentOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = _visible(request, data.validated_data["related_incident"])
        created = incident_link(incident=incident, other=other, actor=request.user)
        return self.respond(RelatedIncidentOut(other).data,
                            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IncidentRelatedDetailView(ApiView):
    @extend_schema(operation_id="related_incidents_destroy", request=None, responses={204: None})
    def delete(self, request, incident_id: int, related_incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        other = get_or_404(scoped_incidents(request.user).filter(related_incidents=incident), pk=related_incident_id)
        incident_unlink(incident=incident, other=other, actor=request.user)
        return self.respond(None, status_code=status.HTTP_204_NO_CONTENT)
