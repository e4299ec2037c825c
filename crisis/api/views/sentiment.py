import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status

from crisis.models import SentimentCheckpoint
from crisis.models.sentiment import HOT_SEARCH_MINUTES_MAX
from crisis.services import sentiment as service

from ..base import ApiView, get_or_404
from ..fields import AwareDateTimeField, FiniteFloatField, StrictCharField, StrictInput, StrictIntegerField
from ..filters import UtcIsoDateTimeFilter
from ..representations import SentimentCheckpointOut
from ..scoping import scoped_checkpoints, scoped_incidents

BULK_MAX = 1000


class CheckpointInput(StrictInput):
    """One measurement. The service checks the rules across fields (shares add up to at most 1, ...)."""

    # The schema says what it can of them (crisis.api.schema): at least one measure, not null.
    schema_needs_one_of = service.MEASURES

    measured_at = AwareDateTimeField(
        help_text=gettext_lazy("When it was measured: the time it happened, not when it is sent (required).")
    )
    source = StrictCharField(max_length=100)
    mention_volume = StrictIntegerField(min_value=0, max_value=2**31 - 1, required=False, allow_null=True)
    negative_share = FiniteFloatField(min_value=0, max_value=1, required=False, allow_null=True)
    neutral_share = FiniteFloatField(min_value=0, max_value=1, required=False, allow_null=True)
    positive_share = FiniteFloatField(min_value=0, max_value=1, required=False, allow_null=True)
    reach = StrictIntegerField(min_value=0, max_value=2**63 - 1, required=False, allow_null=True)
    follower_change = StrictIntegerField(min_value=-(2**62), max_value=2**62, required=False, allow_null=True)
    trending_rank = StrictIntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    share_price_move_pct = FiniteFloatField(min_value=-100, max_value=1000, required=False, allow_null=True)
    livestream_comment_count = StrictIntegerField(min_value=0, max_value=2**31 - 1, required=False, allow_null=True)
    livestream_negative_share = FiniteFloatField(min_value=0, max_value=1, required=False, allow_null=True)
    hot_search_minutes = StrictIntegerField(min_value=0, max_value=HOT_SEARCH_MINUTES_MAX, required=False,
                                            allow_null=True, help_text=gettext_lazy("Minutes on the hot-search list."))
    notes = StrictCharField(max_length=10_000, required=False, allow_blank=True)
    extra = serializers.DictField(required=False)


class CheckpointCorrection(CheckpointInput):
    schema_needs_one_of = ()  # a correction keeps the measures it does not give
    measured_at = AwareDateTimeField(
        required=False, help_text=gettext_lazy("When it happened (defaults to the time of the line it corrects).")
    )
    source = StrictCharField(max_length=100, required=False)
    reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class BulkInput(StrictInput):
    points = serializers.ListField(child=CheckpointInput(), min_length=1, max_length=BULK_MAX)


BULK_OUT = inline_serializer(
    "SentimentBulkResult",
    fields={"count": serializers.IntegerField(), "ids": serializers.ListField(child=serializers.IntegerField())},
)


class CheckpointFilter(django_filters.FilterSet):
    source = django_filters.CharFilter()
    measured_after = UtcIsoDateTimeFilter(
        field_name="measured_at", lookup_expr="gte", label=gettext_lazy("Measured at or after")
    )
    measured_before = UtcIsoDateTimeFilter(
        field_name="measured_at", lookup_expr="lt", label=gettext_lazy("Measured before")
    )

    class Meta:
        model = SentimentCheckpoint
        fields = ["source", "measured_after", "measured_before"]


class IncidentCheckpointListCreateView(ApiView):
    queryset = SentimentCheckpoint.objects.none()
    filterset_class = CheckpointFilter
    ordering = ("measured_at", "id")

    @extend_schema(operation_id="checkpoints_list", responses=SentimentCheckpointOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_checkpoints(request.user).filter(incident=incident), SentimentCheckpointOut)

    @extend_schema(operation_id="checkpoints_create", request=CheckpointInput,
                   responses={201: SentimentCheckpointOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = CheckpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkpoint = service.sentiment_checkpoint_record(incident=incident, actor=request.user, **data.validated_data)
        return self.respond(SentimentCheckpointOut(checkpoint, context={"just_created": True}).data,
                            status_code=status.HTTP_201_CREATED)


class IncidentCheckpointBulkView(ApiView):
    @extend_schema(operation_id="checkpoints_bulk_ingest", request=BulkInput, responses={201: BULK_OUT})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkpoints = service.sentiment_checkpoints_ingest(
            incident=incident, actor=request.user, points=[dict(point) for point in data.validated_data["points"]]
        )
        return self.respond({"count": len(checkpoints), "ids": [c.pk for c in checkpoints]},
                            status_code=status.HTTP_201_CREATED)


class CheckpointDetailView(ApiView):
    @extend_schema(operation_id="checkpoints_retrieve", responses=SentimentCheckpointOut)
    def get(self, request, checkpoint_id: int):
        checkpoint = get_or_404(scoped_checkpoints(request.user), pk=checkpoint_id)
        return self.respond(SentimentCheckpointOut(checkpoint).data)


class CheckpointCorrectView(ApiView):
    @extend_schema(operation_id="checkpoints_correct", request=CheckpointCorrection,
                   responses={201: SentimentCheckpointOut})
    def post(self, request, checkpoint_id: int):
        checkpoint = get_or_404(scoped_checkpoints(request.user), pk=checkpoint_id)
        data = CheckpointCorrection(data=request.data)
        data.is_valid(raise_exception=True)
        correction = service.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=request.user,
                                                          **data.validated_data)
        return self.respond(SentimentCheckpointOut(correction, context={"just_created": True}).data,
                            status_code=status.HTTP_201_CREATED)
