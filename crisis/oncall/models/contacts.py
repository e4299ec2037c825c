from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crisis.models.zones import default_time_zone, validate_time_zone


class ContactKind(models.TextChoices):
    CONSOLE = "console", _("Console / sent-messages page (development)")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")
    APPRISE = "apprise", _("Chat app (Slack, Teams, DingTalk, WeCom, Feishu, Telegram...)")


class ContactMethod(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_methods")
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    # An email address, an http(s) URL, or an apprise URL (slack://..., dingtalk://..., wecombot://...).
    target = models.CharField(_("address"), max_length=1000, blank=True)
    # The webhook's HMAC-SHA256 key; the receiver checks the signature header with it.
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Set only in the admin. Everyone else's webhooks are checked at the moment of sending, on the address the
    # connection actually reached, because a name that was public when saved can point inside the network later.
    reaches_internal_network = models.BooleanField(
        _("may reach the internal network"), default=False,
        help_text=_("For a receiver an admin set up inside the network: it is sent to without the public-address "
                    "check. Changing the address on My notifications turns this off."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact method")
        verbose_name_plural = _("contact methods")
        ordering = ["user", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="console") | ~Q(target=""), name="contact_target_set",
                                   violation_error_message=_("Give the address to send to.")),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.get_kind_display()}: {self.target}"


class ContactPreference(models.Model):
    """Quiet hours: pages below SEV1 are held back from this person between quiet_start and quiet_end."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference")
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone,
                                 validators=[validate_time_zone])
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone})"
