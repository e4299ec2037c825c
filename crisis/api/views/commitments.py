"""Promises a statement makes (crisis.commitments): suggested from its text, confirmed, edited or dismissed by
its author, kept by a later statement or event, or withdrawn."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from crisis.commitments.models import Audience, Commitment, CommitmentState
from crisis.commitments.services import changes, keeping
from crisis.commitments.services.suggestions import commitment_suggest
from crisis.models import Statement, TimelineEvent
from crisis.services.errors import InvalidInput

from ..base import ApiView, get_or_404
from ..fields import AwareDateTimeField, StrictCharField, StrictInput, StrictIntegerField
from ..scoping import scoped_commitments, scoped_incidents, scoped_statements

VERSION_HELP = gettext_lazy("The promise's version you read; a newer one gives 409.")


class CommitmentOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    statement = serializers.IntegerField(source="statement_id", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True)
    deadline = serializers.IntegerField(source="deadline_id", read_only=True, allow_null=True)
    kept_by_statement = serializers.IntegerField(source="kept_by_statement_id", read_only=True, allow_null=True)
    kept_by_event = serializers.IntegerField(source="kept_by_event_id", read_only=True, allow_null=True)

    class Meta:
        model = Commitment
        fields = ["id", "incident", "statement", "state", "version", "text", "due_phrase", "is_due_set_by_hand",
                  "due_at", "audience", "audience_name", "owner", "warn_before_minutes", "deadline", "kept_at",
                  "kept_by_statement", "kept_by_event", "withdrawn_at", "withdrawn_reason", "created_at"]
        read_only_fields = fields


class CommitmentFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=CommitmentState.choices)

    class Meta:
        model = Commitment
        fields = ["state"]


class ChangesInput(StrictInput):
    """What the author may correct; a field left out stays as it is."""

    version = StrictIntegerField(required=False, min_value=1, help_text=VERSION_HELP)
    text = StrictCharField(max_length=500, required=False)
    due_at = AwareDateTimeField(required=False, help_text=gettext_lazy("When it falls due; within a year of now."))
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    audience_name = StrictCharField(max_length=120, required=False, allow_blank=True)
    owner = StrictIntegerField(required=False, min_value=1,
                               help_text=gettext_lazy("A member of the organization; paged first."))
    warn_before_minutes = StrictIntegerField(required=False, min_value=0, max_value=changes.WARN_BEFORE_MAX)


class VersionInput(StrictInput):
    version = StrictIntegerField(required=False, min_value=1, help_text=VERSION_HELP)


def _changes(data: dict) -> dict:
    fields = dict(data)
    fields.pop("version", None)
    if "owner" in fields:
        fields["owner_id"] = fields.pop("owner")
    return fields


class _CommitmentAction(ApiView):
    def commitment(self, request, commitment_id: int) -> Commitment:
        return get_or_404(scoped_commitments(request.user), pk=commitment_id)

    def answer(self, request, commitment_id: int):
        return self.respond(CommitmentOut(self.commitment(request, commitment_id)).data)


class StatementCommitmentListView(ApiView):
    queryset = Commitment.objects.none()
    filterset_class = CommitmentFilter
    ordering = ("due_at", "id")

    @extend_schema(operation_id="statement_commitments_list", responses=CommitmentOut(many=True))
    def get(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        return self.list_response(scoped_commitments(request.user).filter(statement=statement), CommitmentOut)


class StatementCommitmentSuggestView(ApiView):
    queryset = Commitment.objects.none()
    pagination_class = None  # every promise of one statement: a handful

    @extend_schema(operation_id="statement_commitments_suggest", request=None, responses=CommitmentOut(many=True),
                   description=gettext_lazy("Read the statement's current text for promises; suggestions nobody "
                                            "acted on are replaced. Nothing is tracked until confirmed."))
    def post(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        rows = commitment_suggest(statement=statement, actor=request.user)
        return self.respond(CommitmentOut(rows, many=True).data)


class IncidentCommitmentListView(ApiView):
    queryset = Commitment.objects.none()
    filterset_class = CommitmentFilter
    ordering = ("due_at", "id")

    @extend_schema(operation_id="commitments_list", responses=CommitmentOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_commitments(request.user).filter(incident=incident), CommitmentOut)


class CommitmentDetailView(_CommitmentAction):
    @extend_schema(operation_id="commitments_retrieve", responses=CommitmentOut)
    def get(self, request, commitment_id: int):
        return self.answer(request, commitment_id)


class _CommitmentChangeView(_CommitmentAction):
    """Confirm and edit take the same corrections; only the service differs."""

    service = staticmethod(changes.commitment_edit)

    def change(self, request, commitment_id: int):
        commitment = self.commitment(request, commitment_id)
        data = ChangesInput(data=request.data)
        data.is_valid(raise_exception=True)
        self.service(commitment=commitment, actor=request.user, expected_version=data.validated_data.get("version"),
                     **_changes(data.validated_data))
        return self.answer(request, commitment_id)


class CommitmentConfirmView(_CommitmentChangeView):
    service = staticmethod(changes.commitment_confirm)

    @extend_schema(operation_id="commitments_confirm", request=ChangesInput, responses=CommitmentOut,
                   description=gettext_lazy("Track the promise, with any corrections. On a published statement it "
                                            "becomes a deadline at once; otherwise when the statement goes out."))
    def post(self, request, commitment_id: int):
        return self.change(request, commitment_id)


class CommitmentEditView(_CommitmentChangeView):
    @extend_schema(operation_id="commitments_edit", request=ChangesInput, responses=CommitmentOut)
    def post(self, request, commitment_id: int):
        return self.change(request, commitment_id)


class CommitmentDismissView(_CommitmentAction):
    @extend_schema(operation_id="commitments_dismiss", request=VersionInput, responses=CommitmentOut)
    def post(self, request, commitment_id: int):
        commitment = self.commitment(request, commitment_id)
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes.commitment_dismiss(commitment=commitment, actor=request.user,
                                   expected_version=data.validated_data.get("version"))
        return self.answer(request, commitment_id)


class CommitmentKeepView(_CommitmentAction):
    class InputSerializer(VersionInput):
        kept_by_statement = StrictIntegerField(
            required=False, min_value=1, help_text=gettext_lazy("A later published statement of the incident."))
        kept_by_event = StrictIntegerField(
            required=False, min_value=1, help_text=gettext_lazy("An event on the incident's timeline."))

    @extend_schema(operation_id="commitments_keep", request=InputSerializer, responses=CommitmentOut,
                   description=gettext_lazy("Exactly one of kept_by_statement and kept_by_event. The promise is "
                                            "kept at the time that statement went out or that event happened."))
    def post(self, request, commitment_id: int):
        commitment = self.commitment(request, commitment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        links = {
            "kept_by_statement": _in_incident(Statement, commitment, data.validated_data.get("kept_by_statement"),
                                              "kept_by_statement"),
            "kept_by_event": _in_incident(TimelineEvent, commitment, data.validated_data.get("kept_by_event"),
                                          "kept_by_event"),
        }
        keeping.commitment_keep(commitment=commitment, actor=request.user,
                                expected_version=data.validated_data.get("version"), **links)
        return self.answer(request, commitment_id)


def _in_incident(model, commitment: Commitment, pk: int | None, field: str):
    if pk is None:
        return None
    found = model.objects.filter(incident_id=commitment.incident_id, pk=pk).first()
    if found is None:
        raise InvalidInput(_("Nothing of this incident has that id."), field=field)
    return found


class CommitmentWithdrawView(_CommitmentAction):
    class InputSerializer(VersionInput):
        reason = StrictCharField(max_length=keeping.REASON_MAX)

    @extend_schema(operation_id="commitments_withdraw", request=InputSerializer, responses=CommitmentOut)
    def post(self, request, commitment_id: int):
        commitment = self.commitment(request, commitment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keeping.commitment_withdraw(commitment=commitment, actor=request.user, reason=data.validated_data["reason"],
                                    expected_version=data.validated_data.get("version"))
        return self.answer(request, commitment_id)
