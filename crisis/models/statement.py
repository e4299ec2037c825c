from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .append_only import AppendOnlyModel
from .channels import Channel
from .incident import Incident


class StatementKind(models.TextChoices):
    HOLDING = "holding", _("Holding statement")
    FULL = "full", _("Full statement")
    UPDATE = "update", pgettext_lazy("statement kind", "Update")
    APOLOGY = "apology", _("Apology")
    CORRECTION = "correction", _("Correction")
    INTERNAL_BRIEFING = "internal_briefing", _("Internal briefing")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class StatementLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")
    OTHER = "other", _("Other")


# Characters a channel accepts in one post; the composer counts against these.
CHANNEL_CHARACTER_LIMITS = {
    Channel.WEIBO: 2000,
    Channel.X: 280,
    Channel.DOUYIN: 1000,
    Channel.WECHAT: 20000,
}


class Statement(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="statements")
    title = models.CharField(_("title"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=StatementKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=StatementLanguage.choices,
                                default=StatementLanguage.ZH_HANS)
    status = models.CharField(_("status"), max_length=16, choices=StatementStatus.choices,
                              default=StatementStatus.DRAFT)
    current_version = models.ForeignKey(
        "StatementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    # When it went out on the channel (maybe from somebody's phone an hour ago), and when that was entered.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_recorded_at = models.DateTimeField(_("publication recorded at"), null=True, blank=True)
    published_version = models.ForeignKey(
        "StatementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    public_url = models.URLField(_("public URL"), max_length=1000, blank=True)
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    # A post nobody approved (a founder's personal account, a livestream remark): on the record and measured
    # like a statement, but never the brand's answer, so it meets no playbook deadline.
    is_off_script = models.BooleanField(_("off-script"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} ({self.get_channel_display()})"

    @property
    def character_limit(self) -> int | None:
        return CHANNEL_CHARACTER_LIMITS.get(self.channel)


class StatementVersion(AppendOnlyModel):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    body = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("statement version")
        verbose_name_plural = _("statement versions")
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="statement_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} v{self.number}"


class StatementApproval(AppendOnlyModel):
    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("statement approval")
        verbose_name_plural = _("statement approvals")
        constraints = [
            models.UniqueConstraint(fields=["version", "approver"], name="statement_approval_once_per_version"),
        ]
