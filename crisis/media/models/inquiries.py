from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crisis.models import Incident, Statement

from .stakeholders import Stakeholder, StakeholderChannel


class InquiryState(models.TextChoices):
    OPEN = "open", _("Awaiting reply")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed without reply")


class Inquiry(models.Model):
    """A question somebody outside put to us during an incident, and the reply we owe them by ``reply_by``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="inquiries")
    stakeholder = models.ForeignKey(Stakeholder, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="inquiries")
    # Kept even when a stakeholder is named: the record must still say who asked if the list entry goes.
    asker_name = models.CharField(_("asked by"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=StakeholderChannel.choices)
    question = models.TextField(_("question"))
    # Two times for every fact: when the question was put to us, and when somebody got round to logging it.
    asked_at = models.DateTimeField(_("asked at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reply_by = models.DateTimeField(_("reply by"))
    state = models.CharField(_("state"), max_length=10, choices=InquiryState.choices, default=InquiryState.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    close_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ("reply_by", "id")
        indexes = [
            # The room's panel and its fingerprint: the open inquiries of one incident, soonest reply first.
            models.Index(fields=["incident", "reply_by"], condition=Q(state="open"), name="inquiry_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asker_name}: {self.question[:60]}"
