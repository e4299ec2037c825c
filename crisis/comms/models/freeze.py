from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Channel, Organization, Severity


class FreezePolicy(models.Model):
    """When the organization's freeze list is frozen: while one of its incidents at this severity or worse is
    open. One per organization, made on first edit; an organization without one freezes at SEV2 or worse."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="freeze_policy")
    # Severity 1 is the worst: a threshold of 2 freezes during SEV1 and SEV2 incidents.
    severity_threshold = models.PositiveSmallIntegerField(
        _("freeze at this severity or worse"), choices=Severity.choices, default=Severity.SEV2)
    # Bumped by every edit of the policy or its list; an edit filters on the version it started from.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("comms freeze policy")
        verbose_name_plural = _("comms freeze policies")

    def __str__(self) -> str:
        return f"{self.organization}: SEV{self.severity_threshold}"


class FreezeEntry(models.Model):
    """One thing that goes quiet during a freeze: a channel (a statement on it needs the commander's override),
    a named account (the founder's, a sales team's) or both."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="freeze_entries")
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices, blank=True)
    account = models.CharField(_("account"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("freeze list entry")
        verbose_name_plural = _("freeze list entries")
        ordering = ["organization", "channel", "account", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(channel="", account=""), name="freeze_entry_names_something"),
        ]

    def __str__(self) -> str:
        channel = self.get_channel_display() if self.channel else ""
        return " · ".join(part for part in (channel, self.account) if part)
