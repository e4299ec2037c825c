from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Incident, Severity


class SentimentLevel(models.IntegerChoices):
    CALM = 0, _("Calm")
    ELEVATED = 1, _("Elevated")
    HIGH = 2, _("High")
    CRITICAL = 3, _("Critical")


# The severity each level suggests; calm suggests nothing.
LEVEL_SEVERITY = {SentimentLevel.ELEVATED: Severity.SEV3, SentimentLevel.HIGH: Severity.SEV2,
                  SentimentLevel.CRITICAL: Severity.SEV1}


class SuggestionOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    DISMISSED = "dismissed", _("Dismissed")


class SuggestionDecision(models.Model):
    """What the commander did with one suggestion: one per level change, so a dismissed level is not
    suggested again until the level moves (a suggestion is its level and the moment the level was entered)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sentiment_decisions")
    level = models.PositiveSmallIntegerField(_("sentiment level"), choices=SentimentLevel.choices)
    level_entered_at = models.DateTimeField(_("level entered at"))
    suggested_severity = models.PositiveSmallIntegerField(_("suggested severity"), choices=Severity.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=SuggestionOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    figures = models.JSONField(_("figures"), default=list)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("sentiment suggestion decision")
        verbose_name_plural = _("sentiment suggestion decisions")
        ordering = ["incident", "decided_at", "id"]
        constraints = [
            # The compare-and-set between "apply" and "dismiss": whoever inserts first decided.
            models.UniqueConstraint(fields=["incident", "level", "level_entered_at"],
                                    name="listening_one_decision_per_suggestion"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} level {self.level}: {self.outcome}"


# The levels a suggestion can be for (never calm), as the API's apply and dismiss take them.
SUGGESTION_LEVELS = [choice for choice in SentimentLevel.choices if choice[0]]
