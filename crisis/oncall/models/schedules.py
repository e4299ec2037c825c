from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization
from crisis.models.zones import default_time_zone, validate_time_zone


class Schedule(models.Model):
    """Who is on call, per organization: rotations in the schedule's zone, overrides on top."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="oncall_schedules")
    name = models.CharField(_("name"), max_length=200)
    # Hand-offs happen at a wall-clock time in this zone, so they follow DST where the zone has it.
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone,
                                 validators=[validate_time_zone])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Compare-and-set for the desk's edit pages: two admins editing at once must not silently overwrite.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("on-call schedule")
        verbose_name_plural = _("on-call schedules")
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="oncall_schedule_unique_name")]

    def __str__(self) -> str:
        return self.name


class Rotation(models.Model):
    """Members take turns; shift n starts on ``starts_on + n * length_days`` at ``handoff_time`` local time.

    Several rotations layer: the one with the lowest position that has someone on call wins.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    starts_on = models.DateField(_("first hand-off date"))
    handoff_time = models.TimeField(_("hand-off time (local)"))
    # 1 = daily, 7 = weekly, anything else = custom.
    length_days = models.PositiveSmallIntegerField(_("shift length (days)"), default=7,
                                                   validators=[MinValueValidator(1)])
    # Compare-and-set for the desk's edit pages: two admins editing at once must not silently overwrite.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["schedule", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(length_days__gte=1), name="rotation_length_positive")]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.name}"


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rotation member")
        verbose_name_plural = _("rotation members")
        ordering = ["rotation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="rotation_member_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.rotation} #{self.position}: {self.user}"


class Override(models.Model):
    """A holiday or a swap: ``user`` is on call for the whole window, whoever the rotation says."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Compare-and-set for the desk's edit pages: two admins editing at once must not silently overwrite.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        ordering = ["schedule", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="override_ends_after_start",
                                   violation_error_message=_("An override must end after it starts.")),
        ]
        # "Who overrides this schedule at T": schedule + window.
        indexes = [models.Index(fields=["schedule", "starts_at", "ends_at"], name="override_schedule_window")]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"
