from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Incident
from crisis.models.append_only import AppendOnlyModel


class Fact(models.Model):
    """One claim the brand stands behind ("3 vehicles affected", "recall starts 12 December").

    The row holds the current wording; every edit, and the retirement, is also kept as a FactVersion,
    so the sheet can show what it said when a statement went out."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="facts")
    text = models.CharField(_("fact"), max_length=500)
    # When the brand came to stand behind it (confirmed by engineering at 01:10, entered at 02:00).
    established_at = models.DateTimeField(_("established at"))
    is_retired = models.BooleanField(_("retired"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        ordering = ["established_at", "id"]
        indexes = [
            # The room panel, its fingerprint and the consistency check all read "this incident's live facts".
            models.Index(fields=["incident", "is_retired"], name="fact_incident_live"),
        ]

    def __str__(self) -> str:
        return self.text


class FactVersion(AppendOnlyModel):
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    text = models.CharField(_("fact"), max_length=500)
    established_at = models.DateTimeField(_("established at"))
    is_retired = models.BooleanField(_("retired"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("fact version")
        verbose_name_plural = _("fact versions")
        ordering = ["fact", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fact", "number"], name="fact_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.fact_id} v{self.number}"
