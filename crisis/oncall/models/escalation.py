from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization

from .schedules import Schedule


class EscalationPolicy(models.Model):
    """Ordered levels walked until someone acknowledges; chosen per organization and severity."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="escalation_policies")
    name = models.CharField(_("name"), max_length=200)
    # Severities (1-4) this policy is for; empty = the organization's default for any severity.
    severities = models.JSONField(_("severities"), default=list, blank=True)
    # After the last level, start again from the first this many more times.
    repeat = models.PositiveSmallIntegerField(_("repeat"), default=0)
    # Used only while the incident's sentiment level (crisis.listening: 1 elevated, 2 high, 3 critical) is at
    # least this; 0 = whatever the level.
    min_sentiment_level = models.PositiveSmallIntegerField(_("minimum sentiment level"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Compare-and-set for the desk's edit pages: two admins editing at once must not silently overwrite.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return self.name


class TargetKind(models.TextChoices):
    USER = "user", _("A person")
    INCIDENT_ROLE = "incident_role", _("A role on the incident")
    SCHEDULE = "schedule", _("Whoever is on call")


class IncidentRole(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    SPOKESPERSON = "spokesperson", _("Spokesperson")


class EscalationLevel(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    target_kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    incident_role = models.CharField(_("incident role"), max_length=16, choices=IncidentRole.choices, blank=True)
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # How long this level has to acknowledge before the page moves on.
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), default=300)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["policy", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="escalation_level_unique_position"),
            models.CheckConstraint(
                condition=(Q(target_kind="user", user__isnull=False)
                           | Q(target_kind="incident_role") & ~Q(incident_role="")
                           | Q(target_kind="schedule", schedule__isnull=False)),
                name="escalation_level_target_set",
                violation_error_message=_("Say whom this level pages."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} level {self.position}"

    @property
    def wait_minutes(self) -> int:
        return max(1, self.wait_seconds // 60)
