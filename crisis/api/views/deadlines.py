import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from crisis.models import Deadline, DeadlineKind, DeadlineState
from crisis.services import deadlines as service

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput, StrictIntegerField
from ..scoping import scoped_deadlines, scoped_incidents

VERSION_HELP = gettext_lazy("The deadline version you saw; if it moved since, the answer is 409.")


class DeadlineOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    satisfied_by_event = serializers.IntegerField(source="satisfied_by_event_id", read_only=True, allow_null=True)

    class Meta:
        model = Deadline
        fields = [
            "id", "incident", "kind", "step_key", "name", "occurrence", "responsible_role", "due_at", "state",
            "version", "met_at", "breached_at", "cancelled_at", "waived_at", "waive_reason", "note",
            "satisfied_by_event", "created_at",
        ]
        read_only_fields = fields


class DeadlineFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=DeadlineState.choices)
    kind = django_filters.MultipleChoiceFilter(choices=DeadlineKind.choices)
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt",
                                                  label=gettext_lazy("Due before"))

    class Meta:
        model = Deadline
        fields = ["state", "kind", "due_before"]


class IncidentDeadlineListView(ApiView):
    queryset = Deadline.objects.none()
    filterset_class = DeadlineFilter
    ordering = ("due_at", "id")

    @extend_schema(operation_id="deadlines_list", responses=DeadlineOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_deadlines(request.user).filter(incident=incident), DeadlineOut)


class DeadlineDetailView(ApiView):
    @extend_schema(operation_id="deadlines_retrieve", responses=DeadlineOut)
    def get(self, request, deadline_id: int):
        return self.respond(DeadlineOut(get_or_404(scoped_deadlines(request.user), pk=deadline_id)).data)


class DeadlineActionView(ApiView):
    """Load the deadline as the caller last saw it: a ``version`` they send makes a moved deadline a 409."""

    def load(self, request, deadline_id: int) -> Deadline:
        return get_or_404(scoped_deadlines(request.user), pk=deadline_id)

    def validated(self, request, deadline: Deadline) -> dict:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        if version is not None:
            deadline.version = version  # the service compares it with the row under lock
        return values

    def finish(self, deadline: Deadline):
        # Re-read: the services update with F() and set only some attributes on the object they were given.
        return self.respond(DeadlineOut(Deadline.objects.get(pk=deadline.pk)).data)


class DeadlineExtendView(DeadlineActionView):
    class InputSerializer(StrictInput):
        minutes = StrictIntegerField(min_value=1, max_value=7 * 24 * 60)
        reason = StrictCharField(max_length=2000)
        version = StrictIntegerField(required=False, help_text=VERSION_HELP)

    @extend_schema(operation_id="deadlines_extend", request=InputSerializer, responses=DeadlineOut)
    def post(self, request, deadline_id: int):
        deadline = self.load(request, deadline_id)
        values = self.validated(request, deadline)
        service.deadline_extend(deadline=deadline, actor=request.user, minutes=values["minutes"],
                                reason=values["reason"])
        return self.finish(deadline)


class DeadlineWaiveView(DeadlineActionView):
    class InputSerializer(StrictInput):
        reason = StrictCharField(max_length=2000)
        version = StrictIntegerField(required=False, help_text=VERSION_HELP)

    @extend_schema(operation_id="deadlines_waive", request=InputSerializer, responses=DeadlineOut)
    def post(self, request, deadline_id: int):
        deadline = self.load(request, deadline_id)
        values = self.validated(request, deadline)
        service.deadline_waive(deadline=deadline, actor=request.user, reason=values["reason"])
        return self.finish(deadline)


class DeadlineMarkMetView(DeadlineActionView):
    class InputSerializer(StrictInput):
        note = StrictCharField(max_length=5000)
        version = StrictIntegerField(required=False, help_text=VERSION_HELP)

    @extend_schema(operation_id="deadlines_mark_met", request=InputSerializer, responses=DeadlineOut)
    def post(self, request, deadline_id: int):
        deadline = self.load(request, deadline_id)
        values = self.validated(request, deadline)
        service.deadline_mark_met(deadline=deadline, actor=request.user, note=values["note"])
        return self.finish(deadline)
