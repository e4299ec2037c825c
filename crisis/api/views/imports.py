"""POST /api/v1/incidents/import/: load a past crisis from one JSON document (docs/import.md)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny

from crisis.services.errors import InvalidInput
from crisis.services.imports import import_schema, incident_import

from ..base import ApiView, get_or_404
from ..import_openapi import import_request_schema
from ..representations import IncidentOut
from ..scoping import scoped_organizations
from .incidents import etag_headers

EXAMPLE = {
    "format": "golden-hours/incident-import/1", "organization": 1,
    "incident": {"title": "Phone smoking on a high-speed train", "severity": 2,
                 "first_public_signal_at": "2026-03-14T22:44:00+08:00"},
    "acknowledged_at": "2026-03-14T23:04:00+08:00",
    "statements": [{"channel": "weibo", "kind": "holding", "published_at": "2026-03-14T23:34:00+08:00",
                    "body": "我们已关注到网传视频，正在核实。"}],
    "checkpoints": [{"measured_at": "2026-03-14T23:12:00+08:00", "source": "Weibo", "negative_share": 0.41}],
    "resolution": {"resolved_at": "2026-03-15T03:44:00+08:00"},
}


class IncidentImportView(ApiView):
    """A past crisis, all or nothing, replayed at the times things happened; it pages nobody."""

    @extend_schema(
        operation_id="incidents_import",
        description=gettext_lazy("Load a past crisis from one document in the format of the published JSON "
                                 "Schema (GET /api/v1/incidents/import/schema/). Needs the commander role in the "
                                 "organization. All or nothing: a refusal names the item and field, such as "
                                 "statements[1].channel. The incident is retrospective and pages nobody."),
        request={"application/json": import_request_schema()},
        examples=[OpenApiExample("A night crisis", value=EXAMPLE, request_only=True)],
        responses={201: inline_serializer("IncidentImportOut", {
            "incident": IncidentOut(), "events": serializers.IntegerField(),
            "statements": serializers.IntegerField(), "checkpoints": serializers.IntegerField()})},
    )
    def post(self, request):
        document = request.data
        organization_id = document.get("organization") if isinstance(document, dict) else None
        if isinstance(organization_id, bool) or not isinstance(organization_id, int):
            raise InvalidInput(_("Say which organization, by its id."), field="organization")
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        result = incident_import(organization=organization, actor=request.user, document=document)
        return self.respond({"incident": IncidentOut(result.incident).data, "events": result.events,
                             "statements": result.statements, "checkpoints": result.checkpoints},
                            status_code=status.HTTP_201_CREATED, headers=etag_headers(result.incident))


class IncidentImportSchemaView(ApiView):
    """The JSON Schema an import document must match; public, like any published format."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(operation_id="incidents_import_schema", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return self.respond(import_schema())
