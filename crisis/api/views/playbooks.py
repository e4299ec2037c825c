"""Playbooks and their steps, read-only: editing waits for a playbook service (admins edit in the admin)."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from crisis.models import Playbook, PlaybookStep

from ..base import ApiView, get_or_404
from ..scoping import scoped_organizations, scoped_playbooks


class PlaybookStepOut(serializers.ModelSerializer):
    class Meta:
        model = PlaybookStep
        fields = [
            "id", "key", "name", "description", "position", "satisfied_by", "statement_kinds", "channel",
            "event_kind", "offset_seconds", "severity_offsets", "recurrence_seconds", "recur_until",
            "recur_until_seconds", "responsible_role", "warn_before_seconds",
        ]
        read_only_fields = fields


class PlaybookOut(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    step_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Playbook
        fields = ["id", "organization", "key", "name", "description", "version", "is_active", "step_count",
                  "created_at"]
        read_only_fields = fields


class PlaybookDetailOut(PlaybookOut):
    steps = PlaybookStepOut(many=True, read_only=True)

    class Meta(PlaybookOut.Meta):
        fields = [*PlaybookOut.Meta.fields, "steps"]
        read_only_fields = fields


def _playbooks(user):
    return scoped_playbooks(user).annotate(step_count=Count("steps"))


class OrganizationPlaybookListView(ApiView):
    queryset = Playbook.objects.none()
    ordering = ("key", "-version", "id")

    @extend_schema(operation_id="playbooks_list", responses=PlaybookOut(many=True))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.list_response(_playbooks(request.user).filter(organization=organization), PlaybookOut)


class PlaybookDetailView(ApiView):
    @extend_schema(operation_id="playbooks_retrieve", responses=PlaybookDetailOut)
    def get(self, request, playbook_id: int):
        playbook = get_or_404(_playbooks(request.user).prefetch_related("steps"), pk=playbook_id)
        return self.respond(PlaybookDetailOut(playbook).data)
