"""Playbooks and their steps: everyone reads them; admins revise them, which writes a new version."""

from django.db.models import Count
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status

from crisis.models import (
    PUBLIC_CHANNELS,
    Channel,
    EventKind,
    Playbook,
    PlaybookStep,
    RecurUntil,
    Role,
    SatisfiedBy,
    Severity,
    StatementKind,
)
from crisis.services import playbooks as service

from ..base import ApiView, get_or_404
from ..fields import CHANNEL_ENUM_REF, StrictCharField, StrictInput, StrictIntegerField
from ..scoping import scoped_organizations, scoped_playbooks

STEP_CHANNEL_HELP = gettext_lazy('A statement published on this channel meets the step; "public" is any channel but '
                                 'internal, blank is any channel.')


# One of the statement channels (the same ChannelEnum component, so clients get one channel type), or one of
# the two words a step adds. Left inline: as a plain enum it would share the field name "channel" with the
# statements' enum and drf-spectacular would rename both to hashes (Channel9d2Enum).
@extend_schema_field({"oneOf": [CHANNEL_ENUM_REF, {"type": "string", "enum": [PUBLIC_CHANNELS, ""]}]})
class StepChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[PUBLIC_CHANNELS, *Channel.values], allow_blank=True, help_text=STEP_CHANNEL_HELP,
                         **kwargs)


class PlaybookStepOut(serializers.ModelSerializer):
    channel = StepChannelField(read_only=True)
    # Blank when the step does not use them (a step met by a statement has no event kind): the schema must
    # allow "" besides the choices, as the step input does.
    event_kind = serializers.ChoiceField(choices=EventKind.choices, allow_blank=True, read_only=True)
    recur_until = serializers.ChoiceField(choices=RecurUntil.choices, allow_blank=True, read_only=True)
    statement_kinds = serializers.ListField(child=serializers.ChoiceField(choices=StatementKind.choices),
                                            read_only=True)
    severity_offsets = serializers.DictField(child=serializers.IntegerField(), read_only=True)

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


# Offsets by severity, keyed "1" to "4": declared one by one, so the schema names the keys (additionalProperties
# false) instead of promising any key and refusing all but four.
SeverityOffsetsInput = type("SeverityOffsetsInput", (StrictInput,), {
    str(severity): StrictIntegerField(min_value=0, max_value=service.WEEK, required=False)
    for severity in Severity.values
})


class StepInput(StrictInput):
    """Types only; the service checks how the fields fit together (a repeat needs its end, ...)."""

    key = StrictCharField(max_length=80, required=False, allow_blank=True)
    name = StrictCharField(max_length=200)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True)
    satisfied_by = serializers.ChoiceField(choices=SatisfiedBy.choices)
    statement_kinds = serializers.ListField(child=serializers.ChoiceField(choices=StatementKind.choices),
                                            max_length=len(StatementKind), required=False)
    channel = StepChannelField(required=False)
    event_kind = serializers.ChoiceField(choices=EventKind.choices, required=False, allow_blank=True)
    offset_seconds = StrictIntegerField(min_value=0, max_value=service.WEEK)
    severity_offsets = SeverityOffsetsInput(required=False)
    recurrence_seconds = StrictIntegerField(min_value=60, max_value=service.WEEK, required=False, allow_null=True)
    recur_until = serializers.ChoiceField(choices=RecurUntil.choices, required=False, allow_blank=True)
    recur_until_seconds = StrictIntegerField(min_value=0, max_value=4 * service.WEEK, required=False, allow_null=True)
    responsible_role = serializers.ChoiceField(choices=Role.choices)
    warn_before_seconds = StrictIntegerField(min_value=0, max_value=service.WEEK, required=False)


class PlaybookReviseView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(help_text=gettext_lazy("The playbook version you edited."))
        steps = serializers.ListField(child=StepInput(), min_length=1, max_length=50)

    @extend_schema(operation_id="playbooks_revise", request=InputSerializer, responses={201: PlaybookDetailOut})
    def post(self, request, playbook_id: int):
        playbook = get_or_404(scoped_playbooks(request.user).select_related("organization"), pk=playbook_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revised = service.playbook_revise(
            playbook=playbook, actor=request.user, expected_version=data.validated_data["version"],
            steps=[dict(step) for step in data.validated_data["steps"]],
        )
        revised = get_or_404(_playbooks(request.user).prefetch_related("steps"), pk=revised.pk)
        return self.respond(PlaybookDetailOut(revised).data, status_code=status.HTTP_201_CREATED)
