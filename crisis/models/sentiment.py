from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .append_only import AppendOnlyModel
from .incident import Incident

# A year on the hot-search list: longer is a typo, not a crisis.
HOT_SEARCH_MINUTES_MAX = 525_600


class SentimentCheckpoint(AppendOnlyModel):
    """A measurement of public opinion at one moment, as a listening tool or a person saw it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checkpoints")
    measured_at = models.DateTimeField(_("measured at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    source = models.CharField(_("source / platform"), max_length=100)
    mention_volume = models.PositiveIntegerField(_("mention volume"), null=True, blank=True)
    negative_share = models.FloatField(_("negative share"), null=True, blank=True)
    neutral_share = models.FloatField(_("neutral share"), null=True, blank=True)
    positive_share = models.FloatField(_("positive share"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    follower_change = models.BigIntegerField(_("follower change"), null=True, blank=True)
    trending_rank = models.PositiveIntegerField(_("trending rank"), null=True, blank=True)
    share_price_move_pct = models.FloatField(_("share-price move (%)"), null=True, blank=True)
    livestream_comment_count = models.PositiveIntegerField(_("livestream comments"), null=True, blank=True)
    livestream_negative_share = models.FloatField(_("livestream negative share"), null=True, blank=True)
    hot_search_minutes = models.PositiveIntegerField(_("minutes on the hot-search list"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    extra = models.JSONField(_("extra"), default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
    )

    class Meta:
        verbose_name = _("sentiment checkpoint")
        verbose_name_plural = _("sentiment checkpoints")
        ordering = ["measured_at", "id"]
        indexes = [models.Index(fields=["incident", "measured_at"], name="sentiment_incident_time")]
        # The services validate with readable messages; these keep bad rows out whatever writes them.
        constraints = [
            models.UniqueConstraint(fields=["corrects"], name="sentiment_one_correction"),
            models.CheckConstraint(
                condition=Q(negative_share__isnull=True) | Q(negative_share__gte=0, negative_share__lte=1),
                name="sentiment_negative_share_range",
            ),
            models.CheckConstraint(
                condition=Q(neutral_share__isnull=True) | Q(neutral_share__gte=0, neutral_share__lte=1),
                name="sentiment_neutral_share_range",
            ),
            models.CheckConstraint(
                condition=Q(positive_share__isnull=True) | Q(positive_share__gte=0, positive_share__lte=1),
                name="sentiment_positive_share_range",
            ),
            models.CheckConstraint(
                condition=Q(trending_rank__isnull=True) | Q(trending_rank__gte=1),
                name="sentiment_trending_rank_positive",
            ),
            models.CheckConstraint(
                condition=Q(share_price_move_pct__isnull=True)
                | Q(share_price_move_pct__gte=-100, share_price_move_pct__lte=1000),
                name="sentiment_share_price_move_range",
            ),
            models.CheckConstraint(
                condition=Q(livestream_negative_share__isnull=True)
                | Q(livestream_negative_share__gte=0, livestream_negative_share__lte=1),
                name="sentiment_livestream_negative_share_range",
            ),
            models.CheckConstraint(
                condition=Q(hot_search_minutes__isnull=True) | Q(hot_search_minutes__lte=HOT_SEARCH_MINUTES_MAX),
                name="sentiment_hot_search_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} @ {self.measured_at:%Y-%m-%d %H:%M}"
