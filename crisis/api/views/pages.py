"""Pages (on-call alerts): list an incident's pages, acknowledge or resolve one from a tool or a chat bot."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from crisis.oncall.models import Page
from crisis.oncall.services.pages import page_acknowledge, page_resolve

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput
from ..scoping import scoped_incidents, scoped_pages


class PageOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)
    deadline = serializers.IntegerField(source="deadline_id", read_only=True, allow_null=True)
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Page
        fields = ["id", "incident", "deadline", "dedup_key", "source", "title", "body", "severity", "state", "step",
                  "version", "triggered_at", "acknowledged_at", "acknowledged_by", "resolved_at"]
        read_only_fields = fields


class IncidentPageListView(ApiView):
    queryset = Page.objects.none()
    ordering = ("-triggered_at", "-id")

    @extend_schema(operation_id="pages_list", responses=PageOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_pages(request.user).filter(incident=incident), PageOut)


class PageDetailView(ApiView):
    @extend_schema(operation_id="pages_retrieve", responses=PageOut)
    def get(self, request, page_id: int):
        return self.respond(PageOut(get_or_404(scoped_pages(request.user), pk=page_id)).data)


class PageAcknowledgeView(ApiView):
    @extend_schema(operation_id="pages_acknowledge", request=None, responses=PageOut)
    def post(self, request, page_id: int):
        page = get_or_404(scoped_pages(request.user), pk=page_id)
        page_acknowledge(page=page, actor=request.user, via="api")
        return self.respond(PageOut(Page.objects.get(pk=page.pk)).data)


class PageResolveView(ApiView):
    class InputSerializer(StrictInput):
        note = StrictCharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(operation_id="pages_resolve", request=InputSerializer, responses=PageOut)
    def post(self, request, page_id: int):
        page = get_or_404(scoped_pages(request.user), pk=page_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        page_resolve(page=page, actor=request.user, note=data.validated_data.get("note", ""))
        return self.respond(PageOut(Page.objects.get(pk=page.pk)).data)
