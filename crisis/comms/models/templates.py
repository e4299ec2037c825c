from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization, StatementKind, StatementLanguage


class StatementTemplate(models.Model):
    """A first-hour text with placeholders ({what}, {when}, {next_update}) that a draft starts from.

    ``incident_type`` is a free label matched against the incident's tags ("recall", "safety"): a template
    with one is offered first for incidents tagged so; one without is offered for every incident."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="statement_templates")
    kind = models.CharField(_("kind"), max_length=24, choices=StatementKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=StatementLanguage.choices)
    incident_type = models.CharField(_("incident type (tag)"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("statement template")
        verbose_name_plural = _("statement templates")
        ordering = ["organization", "kind", "incident_type", "language", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "language", "incident_type"],
                                    name="statement_template_one_per_kind_language_type"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} ({self.get_language_display()})"
