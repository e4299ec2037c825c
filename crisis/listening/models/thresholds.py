from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization


def _share(label):
    return models.FloatField(label, null=True, blank=True)


def _count(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


class ListeningThresholds(models.Model):
    """An organization's sentiment levels: where each measure starts a level, and how a level is left.

    An empty threshold means that measure does not raise that level. A level is entered as soon as one
    measure reaches its threshold and left only when every measure has stayed below the threshold minus
    ``exit_band_pct`` for ``calm_checkpoints`` points and ``calm_minutes`` (docs/listening.md).
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="listening_thresholds")
    negative_share_elevated = _share(_("negative share: elevated"))
    negative_share_high = _share(_("negative share: high"))
    negative_share_critical = _share(_("negative share: critical"))
    volume_growth_elevated = models.FloatField(_("volume growth: elevated"), null=True, blank=True)
    volume_growth_high = models.FloatField(_("volume growth: high"), null=True, blank=True)
    volume_growth_critical = models.FloatField(_("volume growth: critical"), null=True, blank=True)
    # Rank on a trending list: a smaller number is worse, so a level starts at this rank or better.
    trending_rank_elevated = _count(_("trending rank: elevated"))
    trending_rank_high = _count(_("trending rank: high"))
    trending_rank_critical = _count(_("trending rank: critical"))
    follower_loss_per_hour_elevated = _count(_("follower loss per hour: elevated"))
    follower_loss_per_hour_high = _count(_("follower loss per hour: high"))
    follower_loss_per_hour_critical = _count(_("follower loss per hour: critical"))
    exit_band_pct = models.PositiveSmallIntegerField(_("exit band (%)"), default=10)
    calm_checkpoints = models.PositiveSmallIntegerField(_("calm checkpoints to leave a level"), default=3)
    calm_minutes = models.PositiveIntegerField(_("calm minutes to leave a level"), default=30)
    baseline_band_pct = models.PositiveSmallIntegerField(_("baseline band (%)"), default=10)
    baseline_share_points = models.FloatField(_("baseline band for negative share (points)"), default=2.0)
    baseline_hold_minutes = models.PositiveIntegerField(_("time back at baseline before proposing (min)"),
                                                        default=24 * 60)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    # Compare-and-set: two admins editing at once must not silently overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("listening thresholds")
        verbose_name_plural = _("listening thresholds")

    def __str__(self) -> str:
        return f"{self.organization} listening thresholds"


DEFAULTS = {
    "negative_share_elevated": 0.40, "negative_share_high": 0.55, "negative_share_critical": 0.70,
    "volume_growth_elevated": 3.0, "volume_growth_high": 10.0, "volume_growth_critical": 30.0,
    "trending_rank_elevated": 50, "trending_rank_high": 10, "trending_rank_critical": 3,
    "follower_loss_per_hour_elevated": 1_000, "follower_loss_per_hour_high": 10_000,
    "follower_loss_per_hour_critical": 50_000,
}


def thresholds_default(organization: Organization) -> ListeningThresholds:
    """What an organization that never set its thresholds gets (unsaved)."""
    return ListeningThresholds(organization=organization, **DEFAULTS)
