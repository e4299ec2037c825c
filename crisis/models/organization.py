from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .zones import default_time_zone, validate_time_zone


class Organization(models.Model):
    """A brand or agency; every crisis record belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    # Sentiment triggers: crossing either threshold, or jumping by surge_ratio over the previous
    # checkpoint, suggests a higher severity and adds a "respond to the surge" deadline.
    negative_share_threshold = models.FloatField(_("negative share threshold"), default=0.6)
    volume_threshold = models.PositiveIntegerField(_("mention volume threshold"), null=True, blank=True)
    surge_ratio = models.FloatField(_("surge ratio"), default=1.5)
    surge_response_seconds = models.PositiveIntegerField(_("time to respond to a surge (s)"), default=1800)
    # An incident whose first public signal is older than this when it is entered is a record of
    # the past: it is judged like any other but pages nobody.
    retrospective_after_seconds = models.PositiveIntegerField(_("retrospective after (s)"), default=24 * 3600)
    # What pages and other messages to people are written in when nothing better is known of the reader.
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    RESPONDER = "responder", _("Responder")
    APPROVER = "approver", _("Approver")
    COMMANDER = "commander", _("Commander")
    ADMIN = "admin", _("Admin")


# Roles are cumulative: each one may do everything the ones before it may.
ROLE_RANK = {role: rank for rank, role in enumerate(Role)}


def role_at_least(role: str, minimum: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    # Bumped by every role change, so two admins editing the same person cannot overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    def can(self, minimum: str) -> bool:
        return role_at_least(self.role, minimum)
