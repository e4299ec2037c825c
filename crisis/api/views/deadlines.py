from collections.abc import Iterable

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, PassedOccurrences
from crisis.playbooks import verdicts
from crisis.services import deadlines as service

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput, StrictIntegerField, UserRefSerializer, happened_at_field
from ..filters import UtcIsoDateTimeFilter
from ..representations import two_times
from ..scoping import scoped_deadlines, scoped_incidents

VERSION_HELP = gettext_lazy("The deadline version you saw; if it moved since, the answer is 409.")
OUTCOMES = [verdicts.MET, verdicts.MET_LATE, verdicts.MISSED, verdicts.PENDING, verdicts.WAIVED, verdicts.CANCELLED]


def breach_retractions(deadlines: Iterable[Deadline]) -> dict[int, Breach]:
    """The retracted breach of each deadline among these whose alarm was withdrawn: at most two queries
    for any number of deadlines, and none when no deadline here was both breached and met."""
    retracted = verdicts.deadlines_retracted(deadlines=deadlines)
    if not retracted:
        return {}
    rows = (Breach.objects.filter(deadline_id__in=retracted, retracted_at__isnull=False)
            .select_related("retracted_by").order_by("retracted_at", "id"))
    # A deadline is retracted once per breach it had; the latest says who settled it.
    return {breach.deadline_id: breach for breach in rows}


class BreachRetractionOut(serializers.Serializer):
    retracted_at = serializers.DateTimeField(read_only=True)
    retracted_by = UserRefSerializer(read_only=True, allow_null=True)
    reason = serializers.CharField(source="retraction_reason", read_only=True)


class DeadlineOut(serializers.ModelSerializer):
    """A deadline with its verdict, judged on when the fact that met it happened (not when it was entered)."""

    # The verdict is crisis.playbooks.verdicts'; ``retractions`` (breach_retractions) comes in the context,
    # read once for the whole page.

    incident = serializers.IntegerField(source="incident_id", read_only=True)
    satisfied_by_event = serializers.IntegerField(source="satisfied_by_event_id", read_only=True, allow_null=True)
    outcome = serializers.SerializerMethodField()
    late_minutes = serializers.SerializerMethodField()
    entered_minutes_later = serializers.SerializerMethodField()
    is_breach_retracted = serializers.SerializerMethodField()
    breach_retraction = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id", "incident", "kind", "step_key", "name", "occurrence", "responsible_role", "due_at", "state",
            "version", "met_at", "met_recorded_at", "outcome", "late_minutes", "entered_minutes_later",
            "breached_at", "is_breach_retracted", "breach_retraction", "cancelled_at", "waived_at", "waive_reason",
            "note", "satisfied_by_event", "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = two_times("met_at", "met_recorded_at")

    def _verdict(self, deadline: Deadline) -> verdicts.Verdict:
        # Four fields read the same verdict: compute it once per row.
        cached = getattr(deadline, "_api_verdict", None)
        if cached is None:
            retracted = deadline.pk in self.context.get("retractions", {})
            cached = deadline._api_verdict = verdicts.deadline_verdict(deadline, retracted=retracted)
        return cached

    @extend_schema_field(serializers.ChoiceField(choices=OUTCOMES))
    def get_outcome(self, deadline) -> str:
        return self._verdict(deadline).outcome

    def get_late_minutes(self, deadline) -> float | None:
        """Minutes after its due time that it was done, when it was done late."""
        return self._verdict(deadline).late_minutes

    def get_entered_minutes_later(self, deadline) -> float | None:
        """Minutes between when it was done and when that was entered here."""
        return self._verdict(deadline).entered_minutes_later

    def get_is_breach_retracted(self, deadline) -> bool:
        """It was flagged as missed, and a fact entered later showed it was met in time."""
        return self._verdict(deadline).was_retracted

    @extend_schema_field(BreachRetractionOut(allow_null=True))
    def get_breach_retraction(self, deadline):
        breach = self.context.get("retractions", {}).get(deadline.pk)
        return BreachRetractionOut(breach).data if breach is not None else None


def deadline_out(deadline: Deadline) -> dict:
    return DeadlineOut(deadline, context={"retractions": breach_retractions([deadline])}).data


class DeadlineFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=DeadlineState.choices)
    kind = django_filters.MultipleChoiceFilter(choices=DeadlineKind.choices)
    due_before = UtcIsoDateTimeFilter(field_name="due_at", lookup_expr="lt",
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

    def page_context(self, page: list) -> dict:
        return {"retractions": breach_retractions(page)}


class DeadlineDetailView(ApiView):
    @extend_schema(operation_id="deadlines_retrieve", responses=DeadlineOut)
    def get(self, request, deadline_id: int):
        return self.respond(deadline_out(get_or_404(scoped_deadlines(request.user), pk=deadline_id)))


# A promise's, an approval step's, an inquiry's or an action item's deadline is settled through its record.
OWNED_REFUSED = gettext_lazy("An owned deadline (kind commitment, approval, inquiry or action_item) is refused with "
                             "409: act on its record instead (keep or withdraw the promise, answer the inquiry, ...).")


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
        return self.respond(deadline_out(Deadline.objects.get(pk=deadline.pk)))


class DeadlineExtendView(DeadlineActionView):
    class InputSerializer(StrictInput):
        minutes = StrictIntegerField(min_value=1, max_value=7 * 24 * 60)
        reason = StrictCharField(max_length=2000)
        version = StrictIntegerField(required=False, help_text=VERSION_HELP)

    @extend_schema(operation_id="deadlines_extend", request=InputSerializer, responses=DeadlineOut,
                   description=OWNED_REFUSED)
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

    @extend_schema(operation_id="deadlines_waive", request=InputSerializer, responses=DeadlineOut,
                   description=OWNED_REFUSED)
    def post(self, request, deadline_id: int):
        deadline = self.load(request, deadline_id)
        values = self.validated(request, deadline)
        service.deadline_waive(deadline=deadline, actor=request.user, reason=values["reason"])
        return self.finish(deadline)


class DeadlineMarkMetView(DeadlineActionView):
    class InputSerializer(StrictInput):
        note = StrictCharField(max_length=5000)
        version = StrictIntegerField(required=False, help_text=VERSION_HELP)
        # Done earlier than it is ticked off: judged at that time. A missed deadline may be ticked off too;
        # done in time after all retracts its breach, done late records by how much.
        happened_at = happened_at_field()

    @extend_schema(operation_id="deadlines_mark_met", request=InputSerializer, responses=DeadlineOut,
                   description=OWNED_REFUSED)
    def post(self, request, deadline_id: int):
        deadline = self.load(request, deadline_id)
        values = self.validated(request, deadline)
        service.deadline_mark_met(deadline=deadline, actor=request.user, note=values["note"],
                                  happened_at=values.get("happened_at"))
        return self.finish(deadline)


class PassedOccurrencesOut(serializers.ModelSerializer):
    """Occurrences of a repeating step that went by unrecorded (logged late, engine down), as one record;
    ``made`` counts those that facts entered since cover (crisis.playbooks.verdicts.passed_counts)."""

    incident = serializers.IntegerField(source="incident_id", read_only=True)
    last_due_at = serializers.DateTimeField(read_only=True)
    made = serializers.SerializerMethodField()
    missed = serializers.SerializerMethodField()

    class Meta:
        model = PassedOccurrences
        fields = [
            "id", "incident", "kind", "step_key", "name", "first_occurrence", "count", "first_due_at",
            "last_due_at", "recurrence_seconds", "is_before_logging", "made", "missed", "recorded_at",
        ]
        read_only_fields = fields

    def _made(self, record) -> int:
        counted = self.context["passed"].get(record.pk)
        # Counted from a second read of the records: one rewritten in between counts as not made.
        return counted.made if counted is not None else 0

    def get_made(self, record) -> int:
        """How many of them a fact that happened within the occurrence's own interval covers."""
        return self._made(record)

    def get_missed(self, record) -> int:
        return record.count - self._made(record)


class IncidentPassedOccurrencesListView(ApiView):
    """Read-only: the engine writes these records; people act on the deadlines."""

    queryset = PassedOccurrences.objects.none()
    ordering = ("first_due_at", "id")

    @extend_schema(operation_id="passed_occurrences_list", responses=PassedOccurrencesOut(many=True))
    def get(self, request, incident_id: int):
        self.incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(PassedOccurrences.objects.filter(incident=self.incident), PassedOccurrencesOut)

    def page_context(self, page: list) -> dict:
        if not page:
            return {"passed": {}}
        return {"passed": {count.record.pk: count for count in verdicts.passed_counts(incident=self.incident)}}
