"""Sentiment levels (with their severity suggestion) and the distance to the pre-crisis baseline."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from crisis.listening.baseline import BASELINE_MEASURES
from crisis.listening.levels import MEASURES
from crisis.listening.models import SentimentLevel, SuggestionOutcome
from crisis.listening.models.decisions import SUGGESTION_LEVELS
from crisis.listening.selectors import baseline_for, sentiment_level_reading, thresholds_for
from crisis.listening.services import suggestions, thresholds
from crisis.models import Severity

from ..base import ApiView, get_or_404
from ..fields import AwareDateTimeField, FiniteFloatField, StrictCharField, StrictInput, StrictIntegerField
from ..scoping import scoped_incidents, scoped_organizations


def _threshold_field(name: str, *, output: bool = False) -> serializers.Field:
    minimum, maximum, integer = thresholds.MEASURE_RANGES[name.rsplit("_", 1)[0]]
    kind = StrictIntegerField if integer else FiniteFloatField
    if output:
        return kind(allow_null=True, read_only=True)
    return kind(min_value=minimum, max_value=maximum, allow_null=True, required=False,
                help_text=gettext_lazy("Empty (null) ignores this measure at this level."))


def _setting_field(name: str, *, output: bool = False) -> serializers.Field:
    minimum, maximum, integer = thresholds.SETTING_RANGES[name]
    kind = StrictIntegerField if integer else FiniteFloatField
    return kind(read_only=True) if output else kind(min_value=minimum, max_value=maximum)


ThresholdsInput = type("ListeningThresholdsInput", (StrictInput,), {
    **{name: _threshold_field(name) for name in thresholds.THRESHOLD_FIELDS},
    **{name: _setting_field(name) for name in thresholds.SETTING_RANGES},
    "version": StrictIntegerField(min_value=1, max_value=2**31 - 1,
                                  help_text=gettext_lazy("The version you read; a newer one gives 409.")),
})
ThresholdsOut = type("ListeningThresholdsOut", (serializers.Serializer,), {
    **{name: _threshold_field(name, output=True) for name in thresholds.THRESHOLD_FIELDS},
    **{name: _setting_field(name, output=True) for name in thresholds.SETTING_RANGES},
    "version": StrictIntegerField(read_only=True),
})


class FigureOut(serializers.Serializer):
    measure = serializers.ChoiceField(choices=MEASURES, read_only=True)
    source = serializers.CharField(read_only=True)
    value = serializers.FloatField(read_only=True)
    threshold = serializers.FloatField(read_only=True)
    measured_at = serializers.DateTimeField(read_only=True)


class SuggestionOut(serializers.Serializer):
    level = serializers.ChoiceField(choices=SentimentLevel.choices, read_only=True)
    level_entered_at = serializers.DateTimeField(read_only=True)
    suggested_severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    figures = FigureOut(many=True, read_only=True)


class DecisionOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    level = serializers.ChoiceField(choices=SentimentLevel.choices, read_only=True)
    level_entered_at = serializers.DateTimeField(read_only=True)
    suggested_severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    outcome = serializers.ChoiceField(choices=SuggestionOutcome.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    figures = FigureOut(many=True, read_only=True)
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True, read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)


class SentimentLevelOut(serializers.Serializer):
    incident = serializers.IntegerField(read_only=True)
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    level = serializers.ChoiceField(choices=SentimentLevel.choices, read_only=True)
    level_entered_at = serializers.DateTimeField(allow_null=True, read_only=True)
    figures = FigureOut(many=True, read_only=True)
    suggestion = SuggestionOut(allow_null=True, read_only=True, help_text=gettext_lazy(
        "The severity the level suggests, while it asks for more than the incident has and nobody decided it."))
    last_decision = DecisionOut(allow_null=True, read_only=True)


class DistanceOut(serializers.Serializer):
    source = serializers.CharField(read_only=True)
    measure = serializers.ChoiceField(choices=BASELINE_MEASURES, read_only=True)
    baseline = serializers.FloatField(read_only=True)
    current = serializers.FloatField(read_only=True)
    current_at = serializers.DateTimeField(read_only=True)
    difference = serializers.FloatField(read_only=True)
    relative = serializers.FloatField(allow_null=True, read_only=True)
    is_back = serializers.BooleanField(read_only=True)


class BaselineOut(serializers.Serializer):
    has_baseline = serializers.BooleanField(read_only=True)
    baseline_before_signal = serializers.BooleanField(read_only=True)
    distances = DistanceOut(many=True, read_only=True)
    is_back = serializers.BooleanField(read_only=True)
    back_since = serializers.DateTimeField(allow_null=True, read_only=True)
    latest_at = serializers.DateTimeField(allow_null=True, read_only=True)
    is_stale = serializers.BooleanField(read_only=True)
    hold_minutes = serializers.IntegerField(read_only=True)
    proposes_ending = serializers.BooleanField(read_only=True, help_text=gettext_lazy(
        "Every measure has been back for hold_minutes of measured time, on fresh data: consider resolving."))


def _thresholds_data(organization) -> dict:
    current = thresholds_for(organization)
    return {name: getattr(current, name) for name in (*thresholds.EDITABLE, "version")}


class OrganizationListeningThresholdsView(ApiView):
    @extend_schema(operation_id="listening_thresholds_retrieve", responses=ThresholdsOut)
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.respond(ThresholdsOut(_thresholds_data(organization)).data)

    @extend_schema(operation_id="listening_thresholds_update", request=ThresholdsInput, responses=ThresholdsOut,
                   description=gettext_lazy("Admins. Every field at once; each level must be further from calm "
                                            "than the one below it."))
    def put(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = ThresholdsInput(data=request.data)
        data.is_valid(raise_exception=True)
        thresholds.thresholds_update(organization=organization, actor=request.user, **data.validated_data)
        return self.respond(ThresholdsOut(_thresholds_data(organization)).data)


def _level_data(incident) -> dict:
    reading = sentiment_level_reading(incident)
    state, suggestion, last = reading.state, reading.suggestion, reading.last_decision
    return {"incident": incident.pk, "severity": incident.severity, "level": state.level,
            "level_entered_at": state.entered_at, "figures": [f.as_dict() for f in state.figures],
            "suggestion": vars(suggestion) if suggestion else None, "last_decision": last}


class IncidentSentimentLevelView(ApiView):
    @extend_schema(operation_id="sentiment_level_retrieve", responses=SentimentLevelOut)
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.respond(SentimentLevelOut(_level_data(incident)).data)


class SuggestionDecisionInput(StrictInput):
    level = serializers.ChoiceField(choices=SUGGESTION_LEVELS,
                                    help_text=gettext_lazy("The suggestion's level, as you read it."))
    level_entered_at = AwareDateTimeField(help_text=gettext_lazy("The suggestion's level_entered_at, as you read "
                                                                 "it; another one gives 409."))


class _SuggestionDecisionView(ApiView):
    decide = None  # the service: suggestion_apply or suggestion_dismiss

    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        type(self).decide(incident=incident, actor=request.user, **data.validated_data)
        return self.respond(SentimentLevelOut(_level_data(incident)).data)


class SuggestionApplyInput(SuggestionDecisionInput):
    reason = StrictCharField(max_length=suggestions.REASON_MAX, required=False, allow_blank=True, default="")


class SuggestionDismissInput(SuggestionDecisionInput):
    reason = StrictCharField(max_length=suggestions.REASON_MAX)


@extend_schema_view(post=extend_schema(
    operation_id="sentiment_suggestion_apply", request=SuggestionApplyInput, responses=SentimentLevelOut,
    description=gettext_lazy("Commanders. Raises the severity to the suggested one.")))
class SuggestionApplyView(_SuggestionDecisionView):
    InputSerializer = SuggestionApplyInput
    decide = suggestions.suggestion_apply


@extend_schema_view(post=extend_schema(
    operation_id="sentiment_suggestion_dismiss", request=SuggestionDismissInput, responses=SentimentLevelOut,
    description=gettext_lazy("Commanders. Keeps the severity; the level is not suggested again until it changes.")))
class SuggestionDismissView(_SuggestionDecisionView):
    InputSerializer = SuggestionDismissInput
    decide = suggestions.suggestion_dismiss


class IncidentBaselineView(ApiView):
    @extend_schema(operation_id="sentiment_baseline_retrieve", responses=BaselineOut)
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        view = baseline_for(incident)
        return self.respond(BaselineOut({**vars(view), "distances": [d.as_dict() for d in view.distances]}).data)
