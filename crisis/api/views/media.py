"""The media desk over the API: the stakeholder list (and its CSV import), inquiries, briefings."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from crisis.media.models import (
    Briefing,
    Inquiry,
    Stakeholder,
    StakeholderChannel,
    StakeholderKind,
)
from crisis.media.services import inquiries as inquiry_service
from crisis.media.services import stakeholders as stakeholder_service
from crisis.media.services.briefings import stakeholders_brief
from crisis.media.services.stakeholder_import import stakeholders_import
from crisis.media.stakeholder_csv import HEADERS
from crisis.models import StatementLanguage

from ..base import ApiView, get_or_404
from ..fields import (
    HAPPENED_HELP_OUT,
    RECORDED_HELP_OUT,
    StrictCharField,
    StrictInput,
    StrictIntegerField,
    UserRefSerializer,
    happened_at_field,
)
from ..scoping import (
    scoped_briefings,
    scoped_incidents,
    scoped_inquiries,
    scoped_organizations,
    scoped_stakeholders,
)

CSV_MAX = 2_000_000
# Named for what they mean rather than "channel", which in this API is always a publishing channel (ChannelEnum).
REACH_VIA_HELP = gettext_lazy("How to reach this person.")
ASKED_VIA_HELP = gettext_lazy("How the question reached us.")
ID_MAX = 2**63 - 1


class StakeholderOut(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    reach_via = serializers.ChoiceField(source="channel", choices=StakeholderChannel.choices, read_only=True,
                                        help_text=REACH_VIA_HELP)

    class Meta:
        model = Stakeholder
        fields = ["id", "organization", "name", "outlet", "kind", "reach_via", "language", "email", "phone", "handle",
                  "tags", "notes", "version", "created_at", "updated_at"]
        read_only_fields = fields


class EmailTextField(StrictCharField):
    # What the service refuses, said in the schema (crisis.api.schema): an address without an @.
    schema_pattern = r"^\s*$|^[^\x00]*@[^\x00]*$"


def _tags_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=StrictCharField(max_length=stakeholder_service.TAG_MAX),
                                 max_length=stakeholder_service.TAGS_MAX, **kwargs)


class StakeholderFields(StrictInput):
    name = StrictCharField(max_length=stakeholder_service.NAME_MAX)
    outlet = StrictCharField(max_length=stakeholder_service.OUTLET_MAX, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=StakeholderKind.choices)
    reach_via = serializers.ChoiceField(source="channel", choices=StakeholderChannel.choices, required=False,
                                        help_text=REACH_VIA_HELP)
    language = serializers.ChoiceField(choices=StatementLanguage.choices, required=False)
    email = EmailTextField(max_length=stakeholder_service.EMAIL_MAX, required=False, allow_blank=True,
                            help_text=gettext_lazy("An address with an @; it identifies the person on re-import."))
    phone = StrictCharField(max_length=stakeholder_service.PHONE_MAX, required=False, allow_blank=True)
    handle = StrictCharField(max_length=stakeholder_service.HANDLE_MAX, required=False, allow_blank=True)
    tags = _tags_field(required=False)
    notes = StrictCharField(max_length=stakeholder_service.NOTES_MAX, required=False, allow_blank=True)


class StakeholderListCreateView(ApiView):
    queryset = Stakeholder.objects.none()
    ordering = ("name", "id")

    @extend_schema(operation_id="stakeholders_list", responses=StakeholderOut(many=True))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.list_response(scoped_stakeholders(request.user).filter(organization=organization), StakeholderOut)

    @extend_schema(operation_id="stakeholders_create", request=StakeholderFields, responses={201: StakeholderOut})
    def post(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = StakeholderFields(data=request.data)
        data.is_valid(raise_exception=True)
        stakeholder = stakeholder_service.stakeholder_create(organization=organization, actor=request.user,
                                                             **data.validated_data)
        return self.respond(StakeholderOut(stakeholder).data, status_code=status.HTTP_201_CREATED)


class StakeholderEdit(StakeholderFields):
    version = StrictIntegerField(min_value=1, help_text=gettext_lazy(
        "The version you edited; a newer one on the server gives 409."))

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "version":
                field.required = False
        return fields


class StakeholderDetailView(ApiView):
    @extend_schema(operation_id="stakeholders_retrieve", responses=StakeholderOut)
    def get(self, request, stakeholder_id: int):
        return self.respond(StakeholderOut(get_or_404(scoped_stakeholders(request.user), pk=stakeholder_id)).data)

    @extend_schema(operation_id="stakeholders_partial_update", request=StakeholderEdit, responses=StakeholderOut)
    def patch(self, request, stakeholder_id: int):
        stakeholder = get_or_404(scoped_stakeholders(request.user).select_related("organization"), pk=stakeholder_id)
        data = StakeholderEdit(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
        stakeholder = stakeholder_service.stakeholder_update(stakeholder=stakeholder, actor=request.user,
                                                             expected_version=version, **changes)
        return self.respond(StakeholderOut(stakeholder).data)


class ImportResultOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


IMPORT_HELP = gettext_lazy(
    "The CSV text, UTF-8 (a BOM is fine). First line: column names, in English or Chinese (%(headers)s). "
    "name and kind are required, and an email or a handle on every row: a row whose email (else handle) is on the "
    "list already replaces that entry. All rows or none: a 400 names each refused cell as line_<n>.<column>.")


class StakeholderImportView(ApiView):
    class InputSerializer(StrictInput):
        csv = StrictCharField(max_length=CSV_MAX, trim_whitespace=False, help_text=IMPORT_HELP % {
            "headers": "; ".join(" / ".join(names) for names in HEADERS.values())})

    @extend_schema(operation_id="stakeholders_import", request=InputSerializer, responses=ImportResultOut)
    def post(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = stakeholders_import(organization=organization, actor=request.user, text=data.validated_data["csv"])
        return self.respond(ImportResultOut(result).data)


class InquiryOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    stakeholder = serializers.IntegerField(source="stakeholder_id", read_only=True, allow_null=True)
    statement = serializers.IntegerField(source="statement_id", read_only=True, allow_null=True)
    owner = UserRefSerializer(read_only=True)
    asked_via = serializers.ChoiceField(source="channel", choices=StakeholderChannel.choices, read_only=True,
                                        help_text=ASKED_VIA_HELP)

    class Meta:
        model = Inquiry
        fields = ["id", "incident", "stakeholder", "asker_name", "asked_via", "question", "asked_at", "recorded_at",
                  "owner", "reply_by", "state", "answer", "answered_at", "statement", "close_reason", "closed_at",
                  "version"]
        read_only_fields = fields
        extra_kwargs = {"asked_at": {"help_text": HAPPENED_HELP_OUT}, "recorded_at": {"help_text": RECORDED_HELP_OUT}}


class InquiryListCreateView(ApiView):
    queryset = Inquiry.objects.none()
    ordering = ("reply_by", "id")

    class InputSerializer(StrictInput):
        stakeholder = StrictIntegerField(required=False, min_value=1, max_value=ID_MAX, help_text=gettext_lazy(
            "Who asked, from the organization's stakeholder list; or give asker_name."))
        asker_name = StrictCharField(max_length=inquiry_service.NAME_MAX, required=False, help_text=gettext_lazy(
            "Who asked, as a name; required without a stakeholder."))
        asked_via = serializers.ChoiceField(source="channel", choices=StakeholderChannel.choices,
                                            help_text=ASKED_VIA_HELP)
        question = StrictCharField(max_length=inquiry_service.QUESTION_MAX)
        asked_at = happened_at_field(help_text=gettext_lazy("When it was asked (defaults to now)."))
        reply_within_minutes = StrictIntegerField(
            min_value=1, max_value=inquiry_service.REPLY_WITHIN_MAX, default=inquiry_service.REPLY_WITHIN_DEFAULT,
            help_text=gettext_lazy("The reply is due this long after it was asked."))
        owner = StrictIntegerField(required=False, min_value=1, max_value=ID_MAX, help_text=gettext_lazy(
            "Who owes the reply (a responder or above); defaults to you."))

    @extend_schema(operation_id="inquiries_list", responses=InquiryOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_inquiries(request.user).filter(incident=incident), InquiryOut)

    @extend_schema(operation_id="inquiries_create", request=InputSerializer, responses={201: InquiryOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        inquiry = inquiry_service.inquiry_log(
            incident=incident, actor=request.user, stakeholder_id=fields.pop("stakeholder", None),
            owner_id=fields.pop("owner", None), **fields)
        return _inquiry_response(self, request, inquiry.pk, status_code=status.HTTP_201_CREATED)


def _inquiry_response(view: ApiView, request, inquiry_id: int, *, status_code=status.HTTP_200_OK):
    return view.respond(InquiryOut(get_or_404(scoped_inquiries(request.user), pk=inquiry_id)).data,
                        status_code=status_code)


class InquiryDetailView(ApiView):
    @extend_schema(operation_id="inquiries_retrieve", responses=InquiryOut)
    def get(self, request, inquiry_id: int):
        return _inquiry_response(self, request, inquiry_id)


VERSION_HELP = gettext_lazy("The inquiry version you read; a newer one gives 409.")


class InquiryAnswerView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(min_value=1, help_text=VERSION_HELP)
        answer = StrictCharField(max_length=inquiry_service.ANSWER_MAX)
        answered_at = happened_at_field(help_text=gettext_lazy(
            "When the answer went out (defaults to now); the reply-by is judged on it."))
        statement = StrictIntegerField(required=False, min_value=1, max_value=ID_MAX,
                                       help_text=gettext_lazy("The statement of this incident the answer points to."))

    @extend_schema(operation_id="inquiries_answer", request=InputSerializer, responses=InquiryOut)
    def post(self, request, inquiry_id: int):
        inquiry = get_or_404(scoped_inquiries(request.user), pk=inquiry_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        inquiry_service.inquiry_answer(inquiry=inquiry, actor=request.user, expected_version=fields.pop("version"),
                                       statement_id=fields.pop("statement", None), **fields)
        return _inquiry_response(self, request, inquiry.pk)


class InquiryCloseView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(min_value=1, help_text=VERSION_HELP)
        reason = StrictCharField(max_length=inquiry_service.REASON_MAX)

    @extend_schema(operation_id="inquiries_close", request=InputSerializer, responses=InquiryOut)
    def post(self, request, inquiry_id: int):
        inquiry = get_or_404(scoped_inquiries(request.user), pk=inquiry_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inquiry_service.inquiry_close(inquiry=inquiry, actor=request.user,
                                      expected_version=data.validated_data["version"],
                                      reason=data.validated_data["reason"])
        return _inquiry_response(self, request, inquiry.pk)


class BriefingOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    statement = serializers.IntegerField(source="statement_id", read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    recipients = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Briefing
        fields = ["id", "incident", "statement", "tags", "recipients", "recipient_count", "briefed_at",
                  "recorded_at", "actor"]
        read_only_fields = fields
        extra_kwargs = {"briefed_at": {"help_text": HAPPENED_HELP_OUT},
                        "recorded_at": {"help_text": RECORDED_HELP_OUT}}


class BriefingListCreateView(ApiView):
    queryset = Briefing.objects.none()
    ordering = ("-briefed_at", "-id")

    class InputSerializer(StrictInput):
        statement = StrictIntegerField(min_value=1, max_value=ID_MAX,
                                       help_text=gettext_lazy("A published statement of this incident."))
        tags = _tags_field(min_length=1, help_text=gettext_lazy(
            "Everyone on the stakeholder list carrying at least one of these tags is recorded as briefed."))
        briefed_at = happened_at_field(help_text=gettext_lazy("When it was sent (defaults to now)."))

    @extend_schema(operation_id="briefings_list", responses=BriefingOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_briefings(request.user).filter(incident=incident), BriefingOut)

    @extend_schema(operation_id="briefings_create", request=InputSerializer, responses={201: BriefingOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        briefing = stakeholders_brief(incident=incident, actor=request.user, statement_id=fields.pop("statement"),
                                      **fields)
        return self.respond(BriefingOut(get_or_404(scoped_briefings(request.user), pk=briefing.pk)).data,
                            status_code=status.HTTP_201_CREATED)
