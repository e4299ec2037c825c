from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Incident, Statement

from .stakeholders import Stakeholder


class Briefing(models.Model):
    """A published statement sent to a list of stakeholders: who received what, when, and who sent it.

    The recipients are kept as they were on the day (``recipients``); a tag or a list entry changed later
    does not rewrite who was briefed."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="briefings")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    recipients = models.ManyToManyField(Stakeholder, related_name="briefings")
    recipient_count = models.PositiveIntegerField(default=0)
    briefed_at = models.DateTimeField(_("briefed at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        ordering = ("-briefed_at", "-id")

    def __str__(self) -> str:
        return f"{self.statement} → {', '.join(self.tags)}"
