from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .contacts import ContactKind, ContactMethod
from .pages import Page


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Held back (quiet hours)")
    CANCELLED = "cancelled", _("Cancelled (acknowledged first)")


OPEN_DELIVERY_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    """One message to one contact of one person for one escalation step; the unit that is retried."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(ContactMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # "console" or the contact's id: a person with no contact method still gets the console.
    channel_key = models.CharField(max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    step = models.IntegerField(_("escalation step"))
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    # Sent with every attempt, so a receiver can tell a retry from a new alert.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    ack_url = models.URLField(_("acknowledge link"), max_length=2000, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # While sending, the attempt owns the row until then; a worker killed mid-send lets it lapse.
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["page", "step", "user", "channel_key"], name="delivery_once_per_step"),
        ]
        indexes = [
            # The relay: "deliveries not finished", by when they are next due.
            models.Index(fields=["next_attempt_at"], name="delivery_open",
                         condition=Q(status__in=["queued", "sending", "retrying"])),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user} ({self.status})"


class AttemptOutcome(models.TextChoices):
    OK = "ok", _("Accepted")
    RETRYABLE = "retryable", _("Failed, will retry")
    PERMANENT = "permanent", _("Failed for good")
    # Not sent: the receiver's circuit breaker was open (it failed too often in a row), so the page fails over.
    CIRCUIT_OPEN = "circuit_open", _("Not tried: receiver failing")


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("number"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    started_at = models.DateTimeField(_("started at"))
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.outcome}"
