from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Deadline, Incident, Statement, TimelineEvent


class CommitmentState(models.TextChoices):
    # Found in a draft's text; nothing is tracked until the author confirms it.
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    # The statement went out: the promise is a deadline its owner is paged for.
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Audience(models.TextChoices):
    PUBLIC = "public", _("The public")
    REGULATOR = "regulator", _("A regulator")
    MEDIA = "media", _("A media outlet")
    OTHER = "other", _("Someone else")


class Commitment(models.Model):
    """A promise a statement makes: what, to whom, by when. Open ones are owned deadlines (kind COMMITMENT)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="commitments")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="commitments")
    state = models.CharField(_("state"), max_length=16, choices=CommitmentState.choices,
                             default=CommitmentState.SUGGESTED)
    version = models.PositiveIntegerField(default=1)
    # The sentence that makes the promise, as written (any language; never translated).
    text = models.CharField(_("promise"), max_length=500)
    # The words that say when ("24 小时内", "by noon"): re-read against the real publication time, unless a
    # person set the time by hand.
    due_phrase = models.CharField(_("when, as written"), max_length=120, blank=True)
    is_due_set_by_hand = models.BooleanField(default=False)
    due_at = models.DateTimeField(_("due at"))
    audience = models.CharField(_("to whom"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC)
    audience_name = models.CharField(_("named audience"), max_length=120, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    warn_before_minutes = models.PositiveIntegerField(_("warn before (minutes)"), default=30)
    deadline = models.OneToOneField(Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kept_at = models.DateTimeField(_("kept at"), null=True, blank=True)
    kept_by_statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    kept_by_event = models.ForeignKey(TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The room's panel and its fingerprint: an incident's promises being tracked.
            models.Index(fields=["incident", "state"], name="commitment_incident_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(state="kept") | models.Q(kept_at__isnull=False),
                                   name="commitment_kept_has_time"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_tracked(self) -> bool:
        return self.state in (CommitmentState.OPEN, CommitmentState.KEPT, CommitmentState.WITHDRAWN)
