from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crisis.models import Breach, Deadline, Incident, Organization, Severity

from .escalation import EscalationPolicy


class PageState(models.TextChoices):
    TRIGGERED = "triggered", _("Triggered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class PageSource(models.TextChoices):
    BREACH = "breach", _("A deadline slipped")
    WARNING = "warning", _("A deadline is about to slip")
    SURGE = "surge", _("A sentiment surge")
    MANUAL = "manual", _("Paged by hand")
    TEST = "test", _("Test notification")


class Page(models.Model):
    """One alert walking an escalation policy until someone acknowledges it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pages")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="pages")
    # deadline:<id>:v<version>, warning:<id>:v<version>, manual:<uuid>: the same cause never pages twice.
    dedup_key = models.CharField(_("dedup key"), max_length=200, unique=True)
    source = models.CharField(_("source"), max_length=16, choices=PageSource.choices)
    # In English, for search and tools; what the desk wrote itself is also kept in ``message`` as
    # {"title": ..., "body": ...} system lines (crisis/system_lines.py), rendered for each reader.
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    message = models.JSONField(_("system lines"), default=dict, blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.SEV3)
    state = models.CharField(_("state"), max_length=16, choices=PageState.choices, default=PageState.TRIGGERED)
    # Bumped by every transition and every escalation step; compare-and-set filters on it.
    version = models.PositiveIntegerField(default=1)
    policy = models.ForeignKey(EscalationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Escalation steps taken so far - 1 (step n pages level n mod len(levels)); -1 before the first.
    step = models.IntegerField(_("escalation step"), default=-1)
    breach = models.ForeignKey(Breach, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A page by hand or a test goes to one person rather than down a policy.
    target_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # An owned deadline's alarm goes to people in turn rather than down a policy: [{"user": 7, "wait": 300},
    # ..., {"role": "commander", "wait": 300}] (crisis/services/owned_deadlines.py).
    chain = models.JSONField(_("people to page in turn"), default=list, blank=True)
    triggered_at = models.DateTimeField(_("triggered at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["-triggered_at", "-id"]
        indexes = [
            # The incident room: "pages still waiting for someone".
            models.Index(fields=["incident", "triggered_at"], name="page_incident_open",
                         condition=Q(state="triggered")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_line(self):
        """The title as a system line when the desk wrote it, else as the person wrote it."""
        return (self.message or {}).get("title") or self.title

    @property
    def text_title(self) -> str:
        from crisis.system_lines import line_render

        return line_render((self.message or {}).get("title")) or self.title

    @property
    def text_body(self) -> str:
        from crisis.system_lines import line_render

        return line_render((self.message or {}).get("body")) or self.body

    @property
    def is_triggered(self) -> bool:
        return self.state == PageState.TRIGGERED
