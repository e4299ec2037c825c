import functools

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status

from crisis.models import Channel, Statement, StatementKind, StatementLanguage, StatementStatus, StatementVersion
from crisis.redline import text_redline
from crisis.services import statements as service
from crisis.services.errors import InvalidInput, NotFound
from crisis.services.statement_gates import OVERRIDE_REASON_MAX, statement_gates

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput, StrictIntegerField, WebAddressField, happened_at_field
from ..representations import StatementOut, StatementVersionOut
from ..scoping import scoped_incidents, scoped_statements, statement_versions


class StatementFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=StatementStatus.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    kind = django_filters.MultipleChoiceFilter(choices=StatementKind.choices)

    class Meta:
        model = Statement
        fields = ["status", "channel", "kind"]


def _statement_response(view: ApiView, request, statement_id: int, *, status_code=status.HTTP_200_OK):
    statement = get_or_404(scoped_statements(request.user), pk=statement_id)
    return view.respond(StatementOut(statement).data, status_code=status_code)


class IncidentStatementListCreateView(ApiView):
    queryset = Statement.objects.none()
    filterset_class = StatementFilter
    ordering = ("created_at", "id")

    class InputSerializer(StrictInput):
        channel = serializers.ChoiceField(choices=Channel.choices)
        kind = serializers.ChoiceField(choices=StatementKind.choices)
        body = StrictCharField(max_length=service.BODY_MAX)
        language = serializers.ChoiceField(choices=StatementLanguage.choices, default=StatementLanguage.ZH_HANS)
        title = StrictCharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="statements_list", responses=StatementOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_statements(request.user).filter(incident=incident), StatementOut)

    @extend_schema(operation_id="statements_create", request=InputSerializer, responses={201: StatementOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = service.statement_create(incident=incident, actor=request.user, **data.validated_data)
        return _statement_response(self, request, statement.pk, status_code=status.HTTP_201_CREATED)


class StatementDetailView(ApiView):
    @extend_schema(operation_id="statements_retrieve", responses=StatementOut)
    def get(self, request, statement_id: int):
        return _statement_response(self, request, statement_id)


class StatementVersionListCreateView(ApiView):
    queryset = StatementVersion.objects.none()
    ordering = ("number",)

    class InputSerializer(StrictInput):
        body = StrictCharField(max_length=service.BODY_MAX)
        version = StrictIntegerField(
            required=False, help_text=gettext_lazy("The statement version you edited; a newer one gives 409.")
        )

    @extend_schema(operation_id="statement_versions_list", responses=StatementVersionOut(many=True))
    def get(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        return self.list_response(statement_versions(statement), StatementVersionOut)

    @extend_schema(operation_id="statement_versions_create", request=InputSerializer,
                   responses={201: StatementOut, 200: StatementOut},
                   description=gettext_lazy("201 with a new version; 200 when the text is unchanged (no version)."))
    def post(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        before = statement.current_version_id
        version = service.statement_revise(statement=statement, actor=request.user, body=data.validated_data["body"],
                                           expected_version=data.validated_data.get("version"))
        created = version.pk != before
        return _statement_response(self, request, statement.pk,
                                   status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@functools.cache
def overrides_input() -> type[StrictInput]:
    """One optional reason per registered statement check (crisis/services/statement_gates.py): a body
    naming a check that does not exist is refused by the schema, not only by the service."""
    fields = {name: StrictCharField(max_length=OVERRIDE_REASON_MAX, required=False,
                                    help_text=gettext_lazy("Why you go ahead over this check anyway."))
              for name in sorted(statement_gates())}
    return type("StatementOverridesInput", (StrictInput,), fields)


class StatementSubmitView(ApiView):
    class InputSerializer(StrictInput):
        overrides = overrides_input()(required=False)
        # Sent for approval from a phone before it was entered: its chain's first step has waited since then.
        submitted_at = happened_at_field()

    @extend_schema(operation_id="statements_submit", request=InputSerializer, responses=StatementOut)
    def post(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        data = self.InputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        service.statement_submit_for_review(statement=statement, actor=request.user,
                                            overrides=data.validated_data.get("overrides"),
                                            submitted_at=data.validated_data.get("submitted_at"))
        return _statement_response(self, request, statement.pk)


class StatementApproveView(ApiView):
    class InputSerializer(StrictInput):
        note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="statements_approve", request=InputSerializer, responses=StatementOut)
    def post(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.statement_approve(statement=statement, actor=request.user, note=data.validated_data["note"])
        return _statement_response(self, request, statement.pk)


class StatementPublishView(ApiView):
    class InputSerializer(StrictInput):
        # Went out from somebody's phone an hour ago: its deadline is judged at that time, not now.
        published_at = happened_at_field()
        public_url = WebAddressField(required=False, allow_blank=True, default="")
        overrides = overrides_input()(required=False)

    @extend_schema(operation_id="statements_publish", request=InputSerializer, responses=StatementOut)
    def post(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.statement_publish(statement=statement, actor=request.user, **data.validated_data)
        return _statement_response(self, request, statement.pk)


class StatementRetractView(ApiView):
    class InputSerializer(StrictInput):
        reason = StrictCharField(max_length=2000, help_text=gettext_lazy(
            "Why it is taken back. Promises in it that are still open are withdrawn with it, for this reason."))

    @extend_schema(operation_id="statements_retract", request=InputSerializer, responses=StatementOut)
    def post(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.statement_retract(statement=statement, actor=request.user, reason=data.validated_data["reason"])
        return _statement_response(self, request, statement.pk)


DIFF_OUT = inline_serializer(
    "StatementDiff",
    fields={
        "statement": serializers.IntegerField(),
        "from_version": serializers.IntegerField(),
        "to_version": serializers.IntegerField(),
        "unified": serializers.CharField(),
        "changes": serializers.ListField(child=serializers.DictField()),
    },
)


VERSION_MAX = 1_000_000
VERSION_NUMBER = {"type": "integer", "minimum": 1, "maximum": VERSION_MAX}


def _version_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return serializers.IntegerField(min_value=1, max_value=VERSION_MAX).run_validation(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from exc


class StatementDiffView(ApiView):
    @extend_schema(
        operation_id="statements_diff",
        parameters=[
            OpenApiParameter("from", VERSION_NUMBER, description=gettext_lazy("Older version (default: previous).")),
            OpenApiParameter("to", VERSION_NUMBER, description=gettext_lazy("Newer version (default: current).")),
        ],
        responses=DIFF_OUT,
    )
    def get(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        to_number = _version_param(request, "to") or statement.current_version.number
        from_number = _version_param(request, "from") or max(to_number - 1, 1)
        versions = {v.number: v for v in statement.versions.filter(number__in=[from_number, to_number])}
        missing = [n for n in (from_number, to_number) if n not in versions]
        if missing:
            raise NotFound(_("Version %(n)d does not exist.") % {"n": missing[0]})
        if from_number > to_number:
            raise InvalidInput(_("The first version must be older than the second."), field="from")
        diff = text_redline(versions[from_number].body, versions[to_number].body,
                            old_label=f"v{from_number}", new_label=f"v{to_number}")
        return self.respond({"statement": statement.pk, "from_version": from_number, "to_version": to_number, **diff})
