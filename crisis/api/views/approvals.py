"""Approval chains: an admin sets who signs each kind of statement, in order; each approver reads what waits
for them; anyone in the organization reads how far a statement has come along its chain."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from crisis.approvals.models import ApprovalChain, ReviewState
from crisis.approvals.selectors import approvals_waiting, statement_chain
from crisis.approvals.services import chains as service
from crisis.models import Statement, StatementKind, StatementStatus

from ..base import ApiView, get_or_404
from ..fields import ChannelField, LeanSerializer, StrictCharField, StrictInput, StrictIntegerField, UserRefSerializer
from ..scoping import scoped_organizations, scoped_statements


def person_id() -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=2**63 - 1)


class ChainStepIn(StrictInput):
    name = StrictCharField(max_length=service.NAME_MAX)
    approvers = serializers.ListField(child=person_id(), min_length=1, max_length=service.MAX_PEOPLE,
                                      help_text=gettext_lazy("Member ids (approver role or above); the first is "
                                                             "paged first. One person approves in one step only."))
    deputies = serializers.ListField(child=person_id(), max_length=service.MAX_PEOPLE, required=False, default=list,
                                     help_text=gettext_lazy("Paged after the approvers; may approve the step."))
    limit_minutes = StrictIntegerField(min_value=1, max_value=service.LIMIT_MINUTES_MAX, required=False,
                                       allow_null=True, default=None,
                                       help_text=gettext_lazy("How long the step may wait; none: 15 min, 5 for SEV1."))


class ChainStepOut(LeanSerializer):
    name = serializers.CharField()
    approvers = UserRefSerializer(many=True)
    deputies = UserRefSerializer(many=True)
    limit_minutes = serializers.IntegerField(allow_null=True)


class ChainOut(LeanSerializer):
    kind = serializers.ChoiceField(choices=StatementKind.choices)
    steps = ChainStepOut(many=True)
    version = serializers.IntegerField(help_text=gettext_lazy("Send it back when editing; 0: no chain yet."))


def _chains_out(organization) -> list[dict]:
    chains = {chain.kind: chain for chain in ApprovalChain.objects.filter(organization=organization)}
    ids = {pk for chain in chains.values() for step in chain.steps for pk in (*step["approvers"], *step["deputies"])}
    users = get_user_model().objects.in_bulk(ids)

    def people(pks):
        return [users[pk] for pk in pks if pk in users]

    rows = []
    for kind in StatementKind:
        chain = chains.get(kind)
        steps = [{"name": s["name"], "approvers": people(s["approvers"]), "deputies": people(s["deputies"]),
                  "limit_minutes": s["limit_minutes"]} for s in (chain.steps if chain else [])]
        rows.append({"kind": kind.value, "steps": steps, "version": chain.version if chain else 0})
    return ChainOut(rows, many=True).data


class ApprovalChainListView(ApiView):
    # One entry per statement kind: a short, fixed list, neither paged nor filtered.
    queryset = ApprovalChain.objects.none()
    pagination_class = None
    filter_backends = ()

    class InputSerializer(StrictInput):
        kind = serializers.ChoiceField(choices=StatementKind.choices)
        steps = serializers.ListField(child=ChainStepIn(), max_length=service.MAX_STEPS,
                                      help_text=gettext_lazy("In order; an empty list removes the chain."))
        version = StrictIntegerField(min_value=0, max_value=2**31 - 1,
                                     help_text=gettext_lazy("The chain version you edited; a newer one gives 409."))

    @extend_schema(operation_id="approval_chains_list", responses=ChainOut(many=True),
                   description=gettext_lazy("One entry per statement kind; a kind without steps needs one approval "
                                            "by any approver."))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.respond(_chains_out(organization))

    @extend_schema(operation_id="approval_chains_set", request=InputSerializer, responses=ChainOut(many=True))
    def put(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        service.approval_chain_set(organization=organization, actor=request.user, kind=values["kind"],
                                   steps=[dict(step) for step in values["steps"]], expected_version=values["version"])
        return self.respond(_chains_out(organization))


class WaitingStepOut(LeanSerializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text=gettext_lazy("How many steps the chain has."))


class WaitingOut(LeanSerializer):
    statement = serializers.IntegerField(source="statement.pk")
    title = serializers.CharField(source="statement.__str__")
    incident = serializers.IntegerField(source="statement.incident_id")
    incident_title = serializers.CharField(source="statement.incident.title")
    channel = ChannelField(source="statement.channel")
    kind = serializers.ChoiceField(source="statement.kind", choices=StatementKind.choices)
    step = serializers.SerializerMethodField()
    submitted_by = UserRefSerializer(allow_null=True)
    waiting_since = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("None: the kind has no chain."))
    limit_minutes = serializers.IntegerField(allow_null=True)
    is_overdue = serializers.BooleanField()

    @extend_schema_field(WaitingStepOut(allow_null=True))
    def get_step(self, row) -> dict | None:
        if row.step is None:
            return None
        return {"position": row.step.position, "name": row.step.name, "count": row.step_count}


class MyApprovalsView(ApiView):
    # What one person is asked to sign in the next minutes: never a long list, so not paged.
    queryset = Statement.objects.none()
    pagination_class = None
    filter_backends = ()

    @extend_schema(operation_id="my_approvals_list", responses=WaitingOut(many=True),
                   description=gettext_lazy("What waits for your approval in every organization you belong to, "
                                            "longest waiting first: the step of a chain that names you, or a "
                                            "statement of a kind with no chain. Never your own words."))
    def get(self, request):
        rows = approvals_waiting(user=request.user, organizations=scoped_organizations(request.user))
        return self.respond(WaitingOut(rows, many=True).data)


class ReviewStepOut(LeanSerializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    approvers = serializers.ListField(child=serializers.CharField())
    deputies = serializers.ListField(child=serializers.CharField())
    limit_minutes = serializers.IntegerField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(help_text=gettext_lazy("Empty until the step is approved."))
    approved_at = serializers.DateTimeField(allow_null=True)
    is_waiting = serializers.BooleanField()


class StatementChainOut(LeanSerializer):
    statement = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=[("none", "none"), ("not_submitted", "not_submitted"), *ReviewState.choices],
        help_text=gettext_lazy("none: its kind has no chain; not_submitted: the chain it will go through."))
    status = serializers.ChoiceField(choices=StatementStatus.choices)
    steps = ReviewStepOut(many=True)


class StatementChainView(ApiView):
    @extend_schema(operation_id="statements_approval_chain", responses=StatementChainOut)
    def get(self, request, statement_id: int):
        statement = get_or_404(scoped_statements(request.user), pk=statement_id)
        chain = statement_chain(statement=statement)
        state = "none" if chain is None else (chain.state or "not_submitted")
        return self.respond(StatementChainOut({
            "statement": statement.pk, "state": state, "status": statement.status,
            "steps": chain.steps if chain else []}).data)
