"""The fact sheet (crisis/facts), the consistency check of a statement against it, and the redline between
any two statements of an incident."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status

from crisis.facts.models import Fact, FactVersion
from crisis.facts.services import facts as service
from crisis.facts.services.consistency import GATE, conflict_sentence, consistency_check
from crisis.redline import text_redline
from crisis.services.errors import NotFound

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput, StrictIntegerField, UserRefSerializer, YesNoFilter, happened_at_field
from ..scoping import BIGINT_MAX, scoped_facts, scoped_incidents, scoped_statements

VERSION_HELP = gettext_lazy("The fact's version you edited; a newer one gives 409.")


class FactVersionOut(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FactVersion
        fields = ["number", "text", "established_at", "is_retired", "reason", "author", "recorded_at"]
        read_only_fields = fields


class FactOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    versions = FactVersionOut(many=True, read_only=True)

    class Meta:
        model = Fact
        fields = ["id", "incident", "text", "established_at", "is_retired", "version", "created_at", "updated_at",
                  "versions"]
        read_only_fields = fields


def _fact_response(view: ApiView, request, fact_id: int, *, status_code=status.HTTP_200_OK):
    return view.respond(FactOut(get_or_404(scoped_facts(request.user), pk=fact_id)).data, status_code=status_code)


class FactFilter(django_filters.FilterSet):
    is_retired = YesNoFilter(help_text=gettext_lazy("false: the live sheet; true: what was retired."))

    class Meta:
        model = Fact
        fields = ["is_retired"]


class IncidentFactListCreateView(ApiView):
    queryset = Fact.objects.none()
    filterset_class = FactFilter
    ordering = ("established_at", "id")

    class InputSerializer(StrictInput):
        text = StrictCharField(max_length=service.TEXT_MAX)
        # Confirmed by engineering at 01:10, entered at 02:00: the sheet says 01:10.
        established_at = happened_at_field()

    @extend_schema(operation_id="facts_list", responses=FactOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_facts(request.user).filter(incident=incident), FactOut)

    @extend_schema(operation_id="facts_create", request=InputSerializer, responses={201: FactOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fact = service.fact_add(incident=incident, actor=request.user, **data.validated_data)
        return _fact_response(self, request, fact.pk, status_code=status.HTTP_201_CREATED)


class FactDetailView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(min_value=1, max_value=BIGINT_MAX, help_text=VERSION_HELP)
        text = StrictCharField(max_length=service.TEXT_MAX, required=False)
        established_at = happened_at_field()

    @extend_schema(operation_id="facts_retrieve", responses=FactOut)
    def get(self, request, fact_id: int):
        return _fact_response(self, request, fact_id)

    @extend_schema(operation_id="facts_partial_update", request=InputSerializer, responses=FactOut)
    def patch(self, request, fact_id: int):
        fact = get_or_404(scoped_facts(request.user), pk=fact_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        service.fact_edit(fact=fact, actor=request.user, expected_version=fields.pop("version"), **fields)
        return _fact_response(self, request, fact.pk)


class FactRetireView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(min_value=1, max_value=BIGINT_MAX, help_text=VERSION_HELP)
        reason = StrictCharField(max_length=service.REASON_MAX, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="facts_retire", request=InputSerializer, responses=FactOut)
    def post(self, request, fact_id: int):
        fact = get_or_404(scoped_facts(request.user), pk=fact_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.fact_retire(fact=fact, actor=request.user, expected_version=data.validated_data["version"],
                            reason=data.validated_data["reason"])
        return _fact_response(self, request, fact.pk)


_SAID = inline_serializer("ConsistencySaid", fields={
    "value": serializers.CharField(help_text=gettext_lazy("Normalised: 15:00, 12-12, 3 vehicle.")),
    "shown": serializers.CharField(help_text=gettext_lazy("As written: 下午3点.")),
    "excerpt": serializers.CharField(),
})
CONSISTENCY_OUT = inline_serializer("StatementConsistency", fields={
    "statement": serializers.IntegerField(),
    "gate": serializers.CharField(help_text=gettext_lazy("The override key: overrides.<gate> on submit/publish.")),
    "is_consistent": serializers.BooleanField(),
    "conflicts": serializers.ListField(child=inline_serializer("ConsistencyConflict", fields={
        "kind": serializers.ChoiceField(choices=["time", "date", "count"]),
        "source": serializers.ChoiceField(choices=["fact", "statement"]),
        "source_id": serializers.IntegerField(),
        "source_label": serializers.CharField(),
        "theirs": _SAID,
        "ours": _SAID,
        "message": serializers.CharField(),
    })),
})


class StatementConsistencyView(ApiView):
    @extend_schema(operation_id="statements_consistency", responses=CONSISTENCY_OUT,
                   description=gettext_lazy("What the consistency check would refuse on submit or publish: the "
                                            "statement's current text against the fact sheet and the statements "
                                            "published on the incident's other channels."))
    def get(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        conflicts = consistency_check(statement=statement)
        return self.respond({
            "statement": statement.pk, "gate": GATE, "is_consistent": not conflicts,
            "conflicts": [{**c.as_dict(), "message": conflict_sentence(c)} for c in conflicts],
        })


STATEMENT_ID = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}
COMPARE_OUT = inline_serializer("StatementCompare", fields={
    "statement": serializers.IntegerField(),
    "other": serializers.IntegerField(),
    "unified": serializers.CharField(),
    "changes": serializers.ListField(child=serializers.DictField()),
})


class StatementCompareView(ApiView):
    @extend_schema(
        operation_id="statements_compare",
        parameters=[OpenApiParameter("with", STATEMENT_ID, required=True,
                                     description=gettext_lazy("Another statement of the same incident."))],
        responses=COMPARE_OUT,
        description=gettext_lazy("A redline from this statement's current text to another statement's, across "
                                 "channels and languages of one incident."),
    )
    def get(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        try:
            other_id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX).run_validation(
                request.query_params.get("with", serializers.empty))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"with": exc.detail}) from exc
        other = scoped_statements(request.user).filter(incident_id=statement.incident_id, pk=other_id).first()
        if other is None:
            raise NotFound(_("No statement %(n)d in this incident.") % {"n": other_id}, field="with")
        diff = text_redline(statement.current_version.body, other.current_version.body,
                            old_label=str(statement), new_label=str(other))
        return self.respond({"statement": statement.pk, "other": other.pk, **diff})
