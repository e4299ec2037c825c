"""How records look in API responses; shared by the views that return them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crisis.models import EventKind, Incident, SentimentCheckpoint, Statement, StatementVersion

from .fields import (
    HAPPENED_HELP_OUT,
    RECORDED_HELP_OUT,
    ChannelField,
    LeanSerializer,
    UserRefSerializer,
    WebAddressField,
)


def two_times(happened: str, recorded: str) -> dict[str, dict]:
    """``extra_kwargs`` documenting a pair of times: when it happened and when it was entered."""
    return {happened: {"help_text": HAPPENED_HELP_OUT}, recorded: {"help_text": RECORDED_HELP_OUT}}


class IncidentOut(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    commander = serializers.IntegerField(source="commander_id", read_only=True, allow_null=True)
    spokesperson = serializers.IntegerField(source="spokesperson_id", read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    affected_channels = serializers.ListField(child=ChannelField(), read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "organization", "title", "summary", "severity", "status", "is_open", "is_retrospective",
            "first_public_signal_at", "detected_at", "acknowledged_at", "acknowledged_recorded_at", "contained_at",
            "resolved_at", "closed_at", "commander", "spokesperson", "affected_channels", "tags", "time_zone",
            "version", "created_at", "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            **two_times("acknowledged_at", "acknowledged_recorded_at"),
            "is_retrospective": {"help_text": _("Entered as a record of the past: judged like any other, "
                                                "it pages nobody.")},
        }


def _first_pk(related) -> int | None:
    # Read from the prefetch cache: the unique constraint allows one correction per row.
    items = list(related.all())
    return items[0].pk if items else None


class TimelineEventOut(LeanSerializer):
    # A plain Serializer, not a ModelSerializer: this is the hottest write path (tools logging events), and
    # ModelSerializer rebuilds its fields from the model on every instance.
    id = serializers.IntegerField(read_only=True)
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True, help_text=HAPPENED_HELP_OUT)
    recorded_at = serializers.DateTimeField(read_only=True, help_text=RECORDED_HELP_OUT)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    body = serializers.CharField(read_only=True, help_text=_(
        "The line as recorded: what a person wrote, or a system line in English. Search and tools read this."))
    text = serializers.CharField(read_only=True, help_text=_(
        "The line for the reader: a system line in the language of the request (Accept-Language), what a "
        "person wrote as written."))
    message = serializers.JSONField(read_only=True, allow_null=True, help_text=_(
        "A system line as data, or null for what a person wrote: {\"key\": \"deadline.met\", \"params\": {...}}. "
        "Keys are stable; a parameter {\"t\": ...} is an English phrase translated when read."))
    source_url = WebAddressField(read_only=True)
    is_pinned = serializers.BooleanField(read_only=True)
    metadata = serializers.JSONField(read_only=True)
    corrects = serializers.IntegerField(source="corrects_id", read_only=True, allow_null=True)
    corrected_by = serializers.SerializerMethodField()

    def get_corrected_by(self, event) -> int | None:
        if self.context.get("just_created"):
            return None
        return _first_pk(event.corrections)


class StatementVersionOut(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = StatementVersion
        fields = ["id", "number", "body", "author", "created_at", "approved_by"]
        read_only_fields = fields

    def get_approved_by(self, version) -> list[int]:
        return [approval.approver_id for approval in version.approvals.all()]


class StatementOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    current_version = StatementVersionOut(read_only=True)
    published_version = serializers.SerializerMethodField()
    character_limit = serializers.IntegerField(read_only=True, allow_null=True)
    # Empty until it is published with an address: "" like every other text the API returns, so not a "uri".
    public_url = WebAddressField(read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id", "incident", "title", "channel", "kind", "language", "status", "version", "current_version",
            "published_version", "published_at", "published_recorded_at", "public_url", "retracted_at",
            "character_limit", "is_off_script", "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = two_times("published_at", "published_recorded_at")

    def get_published_version(self, statement) -> int | None:
        return statement.published_version.number if statement.published_version_id else None


class SentimentCheckpointOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True, allow_null=True)
    corrects = serializers.IntegerField(source="corrects_id", read_only=True, allow_null=True)
    corrected_by = serializers.SerializerMethodField()

    class Meta:
        model = SentimentCheckpoint
        fields = [
            "id", "incident", "measured_at", "recorded_at", "source", "mention_volume", "negative_share",
            "neutral_share", "positive_share", "reach", "follower_change", "trending_rank", "share_price_move_pct",
            "livestream_comment_count", "livestream_negative_share", "hot_search_minutes", "notes", "extra",
            "recorded_by", "corrects", "corrected_by",
        ]
        read_only_fields = fields
        extra_kwargs = two_times("measured_at", "recorded_at")

    def get_corrected_by(self, checkpoint) -> int | None:
        if self.context.get("just_created"):
            return None
        return _first_pk(checkpoint.corrections)
