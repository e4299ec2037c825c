from django.db import models
from django.utils.translation import gettext_lazy as _

from .contacts import ContactMethod


class BreakerState(models.TextChoices):
    CLOSED = "closed", _("Closed: sending")
    OPEN = "open", _("Open: not sending")
    HALF_OPEN = "half_open", _("Half-open: one message is testing it")


class ReceiverBreaker(models.Model):
    """The circuit breaker of one receiver: a contact method.

    Per contact method rather than per host, because the failures it counts (timeouts, dropped
    connections, 5xx) come from one person's receiver, and chat apps share a handful of hosts:
    a host-wide breaker would let one revoked Slack or DingTalk robot stop everybody else's pages.

    Closed, it counts consecutive failures worth retrying; at GOLDEN_HOURS_BREAKER_FAILURES it opens
    and messages to it are not tried (they fail over, as a delivery that failed for good does). The
    first message after ``next_probe_at`` takes the half-open probe; its success closes the breaker,
    its failure opens it again for twice as long. Every change is a compare-and-set on ``version``.
    """

    contact = models.OneToOneField(ContactMethod, on_delete=models.CASCADE, related_name="breaker",
                                   verbose_name=_("contact method"))
    state = models.CharField(_("state"), max_length=16, choices=BreakerState.choices, default=BreakerState.CLOSED)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    state_since = models.DateTimeField(_("in this state since"))
    # Open: the first message after this is sent as the probe.
    next_probe_at = models.DateTimeField(_("next probe from"), null=True, blank=True)
    # Half-open: the probe owns the breaker until then; a probe whose worker died lets another take over.
    probe_until = models.DateTimeField(_("probe running until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("receiver circuit breaker")
        verbose_name_plural = _("receiver circuit breakers")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contact}: {self.state}"

    @property
    def is_troubled(self) -> bool:
        """Failed recently: the next message is sent with caution (one at a time, not waited for)."""
        return self.state != BreakerState.CLOSED or self.failures > 0
