"""The comms freeze list, off-script posts and first-hour statement templates (crisis.comms)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from crisis.comms.models import StatementTemplate
from crisis.comms.selectors import freeze_state, statement_templates, templates_for_incident
from crisis.comms.services import templates as template_service
from crisis.comms.services.freeze import ACCOUNT_MAX, ENTRIES_MAX, NOTE_MAX, comms_freeze_set
from crisis.comms.services.off_script import POSTED_BY_MAX, PUBLIC_URL_MAX, off_script_post_log
from crisis.models import Channel, Incident, Severity, StatementKind, StatementLanguage
from crisis.services.statements import BODY_MAX

from ..base import ApiView, get_or_404
from ..fields import AwareDateTimeField, ChannelField, StrictCharField, StrictInput, StrictIntegerField, WebAddressField
from ..representations import StatementOut
from ..scoping import scoped_incidents, scoped_organizations, scoped_statements

VERSION_HELP = gettext_lazy("The version you edited (0 before the first edit); a newer one gives 409.")


class FreezeEntrySerializer(StrictInput):
    # null: an entry that names only an account (the sales team's livestream account, on any platform).
    channel = ChannelField(required=False, allow_null=True, default=None)
    account = StrictCharField(max_length=ACCOUNT_MAX, required=False, allow_blank=True, default="")
    note = StrictCharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class FreezeEntryOut(serializers.Serializer):
    # Its own class: shared with the input, the component would lose the input's "no other fields".
    channel = ChannelField(allow_null=True)
    account = serializers.CharField()
    note = serializers.CharField()


class FreezeIncidentOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    severity = serializers.IntegerField()


class FreezeOut(serializers.Serializer):
    severity_threshold = serializers.ChoiceField(choices=Severity.choices)
    version = serializers.IntegerField()
    is_in_effect = serializers.BooleanField()
    entries = FreezeEntryOut(many=True)
    incidents = FreezeIncidentOut(many=True, help_text=gettext_lazy(
        "The organization's open incidents at the threshold or worse (they freeze the list when it has entries)."))


def _freeze_out(organization) -> dict:
    state = freeze_state(organization_id=organization.pk)
    return FreezeOut({
        "severity_threshold": state.threshold, "version": state.version, "is_in_effect": state.is_in_effect,
        "entries": [{"channel": e.channel or None, "account": e.account, "note": e.note} for e in state.entries],
        "incidents": state.incidents,
    }).data


class OrganizationFreezeView(ApiView):
    class InputSerializer(StrictInput):
        severity_threshold = serializers.ChoiceField(choices=Severity.choices)
        entries = FreezeEntrySerializer(many=True, max_length=ENTRIES_MAX)
        version = StrictIntegerField(required=False, min_value=0, help_text=VERSION_HELP)

    @extend_schema(operation_id="comms_freeze_retrieve", responses=FreezeOut)
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.respond(_freeze_out(organization))

    @extend_schema(operation_id="comms_freeze_update", request=InputSerializer, responses=FreezeOut,
                   description=gettext_lazy("Replace the freeze list and its severity threshold (admins)."))
    def put(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comms_freeze_set(organization=organization, actor=request.user,
                         severity_threshold=data.validated_data["severity_threshold"],
                         entries=[dict(entry) for entry in data.validated_data["entries"]],
                         expected_version=data.validated_data.get("version"))
        return self.respond(_freeze_out(organization))


class OffScriptPostCreateView(ApiView):
    class InputSerializer(StrictInput):
        posted_by = StrictCharField(max_length=POSTED_BY_MAX, help_text=gettext_lazy("Who posted or said it."))
        account = StrictCharField(max_length=POSTED_BY_MAX, required=False, allow_blank=True, default="")
        channel = serializers.ChoiceField(choices=Channel.choices)
        body = StrictCharField(max_length=BODY_MAX, help_text=gettext_lazy("What was said."))
        happened_at = AwareDateTimeField(help_text=gettext_lazy("When it went out (often well before now)."))
        public_url = WebAddressField(required=False, allow_blank=True, default="", max_length=PUBLIC_URL_MAX)
        kind = serializers.ChoiceField(choices=StatementKind.choices, default=StatementKind.UPDATE)
        language = serializers.ChoiceField(choices=StatementLanguage.choices, default=StatementLanguage.ZH_HANS)
        title = StrictCharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="off_script_posts_create", request=InputSerializer, responses={201: StatementOut},
                   description=gettext_lazy("Log a post that went out without approval: a published, off-script "
                                            "statement that meets no playbook deadline."))
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = off_script_post_log(incident=incident, actor=request.user, **data.validated_data)
        statement = get_or_404(scoped_statements(request.user), pk=statement.pk)
        return self.respond(StatementOut(statement).data, status_code=status.HTTP_201_CREATED)


class StatementTemplateOut(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)

    class Meta:
        model = StatementTemplate
        fields = ["id", "organization", "kind", "language", "incident_type", "title", "body", "version",
                  "updated_at"]
        read_only_fields = fields


class StatementTemplateUpdateInput(StrictInput):
    body = StrictCharField(max_length=BODY_MAX, help_text=gettext_lazy(
        "Placeholders: {what}, {when}, {next_update}."))
    title = StrictCharField(max_length=template_service.TITLE_MAX, required=False, allow_blank=True, default="")
    incident_type = StrictCharField(max_length=template_service.INCIDENT_TYPE_MAX, required=False, allow_blank=True,
                                    default="", help_text=gettext_lazy(
                                        "A tag of the incidents it is for; blank for every incident."))


class OrganizationStatementTemplateListView(ApiView):
    queryset = StatementTemplate.objects.none()
    ordering = ("kind", "incident_type", "language", "id")

    class InputSerializer(StatementTemplateUpdateInput):
        kind = serializers.ChoiceField(choices=StatementKind.choices)
        language = serializers.ChoiceField(choices=StatementLanguage.choices)

    @extend_schema(operation_id="statement_templates_list", responses=StatementTemplateOut(many=True))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.list_response(statement_templates(organization=organization), StatementTemplateOut)

    @extend_schema(operation_id="statement_templates_create", request=InputSerializer,
                   responses={201: StatementTemplateOut})
    def post(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = template_service.statement_template_create(organization=organization, actor=request.user,
                                                              **data.validated_data)
        return self.respond(StatementTemplateOut(template).data, status_code=status.HTTP_201_CREATED)


def scoped_statement_templates(user):
    return StatementTemplate.objects.filter(organization__in=scoped_organizations(user)).select_related(
        "organization")


class StatementTemplateDetailView(ApiView):
    class InputSerializer(StatementTemplateUpdateInput):
        version = StrictIntegerField(required=False, min_value=1, help_text=VERSION_HELP)

    @extend_schema(operation_id="statement_templates_retrieve", responses=StatementTemplateOut)
    def get(self, request, statement_template_id: int):
        template = get_or_404(scoped_statement_templates(request.user), pk=statement_template_id)
        return self.respond(StatementTemplateOut(template).data)

    @extend_schema(operation_id="statement_templates_update", request=InputSerializer, responses=StatementTemplateOut)
    def put(self, request, statement_template_id: int):
        template = get_or_404(scoped_statement_templates(request.user), pk=statement_template_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        template = template_service.statement_template_update(
            template=template, actor=request.user, expected_version=values.pop("version", None), **values)
        return self.respond(StatementTemplateOut(template).data)

    @extend_schema(operation_id="statement_templates_destroy", responses={204: None})
    def delete(self, request, statement_template_id: int):
        template = get_or_404(scoped_statement_templates(request.user), pk=statement_template_id)
        template_service.statement_template_delete(template=template, actor=request.user)
        return self.respond(None, status_code=status.HTTP_204_NO_CONTENT)


class FilledTemplateOut(serializers.Serializer):
    template_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=StatementKind.choices)
    language = serializers.ChoiceField(choices=StatementLanguage.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    next_update_at = serializers.DateTimeField()
    next_update_is_deadline = serializers.BooleanField(help_text=gettext_lazy(
        "Whether next_update_at is a pending deadline (else it is an hour from now)."))


class IncidentStatementTemplatesView(ApiView):
    queryset = Incident.objects.none()
    pagination_class = None  # one per kind and language: a handful, never a page

    @extend_schema(operation_id="incident_statement_templates_list", responses=FilledTemplateOut(many=True),
                   description=gettext_lazy("The templates this incident can start from, filled in: post one as a "
                                            "new draft to statements_create."))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        filled = [template_service.statement_template_fill(template=t, incident=incident)
                  for t in templates_for_incident(incident=incident)]
        return self.respond(FilledTemplateOut(filled, many=True).data)
