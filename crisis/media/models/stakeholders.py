from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization, StatementLanguage


class StakeholderKind(models.TextChoices):
    JOURNALIST = "journalist", _("Journalist")
    OUTLET = "outlet", _("Outlet")
    REGULATOR = "regulator", _("Regulator")
    PARTNER = "partner", _("Partner")
    KOL = "kol", _("Key opinion leader")


class StakeholderChannel(models.TextChoices):
    """How a stakeholder is reached, and how an inquiry reached us."""

    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    WEIBO = "weibo", _("Weibo")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


def stakeholder_natural_key(*, email: str, handle: str) -> str:
    """What a re-imported list is matched on: the address, else the handle, compared without case."""
    if email.strip():
        return "email:" + email.strip().lower()
    if handle.strip():
        return "handle:" + handle.strip().lower()
    return ""


class Stakeholder(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("name"), max_length=200)
    outlet = models.CharField(_("organization or outlet"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=StakeholderKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=StakeholderChannel.choices,
                               default=StakeholderChannel.EMAIL)
    language = models.CharField(_("language"), max_length=8, choices=StatementLanguage.choices,
                                default=StatementLanguage.ZH_HANS)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    natural_key = models.CharField(max_length=300, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("name", "id")
        constraints = [
            # A re-import updates the person it already has rather than adding them twice.
            models.UniqueConstraint(fields=["organization", "natural_key"], condition=~Q(natural_key=""),
                                    name="stakeholder_natural_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.outlet})" if self.outlet else self.name

    @property
    def contact(self) -> str:
        return self.email or self.phone or self.handle
