import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .organization import Organization, Role


class InvitationStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("invitation", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("invitation", "Accepted")
    REVOKED = "revoked", pgettext_lazy("invitation", "Revoked")
    # Never stored: a sent invitation past its expires_at reads as expired (see Invitation.current_status).
    EXPIRED = "expired", pgettext_lazy("invitation", "Expired")


class Invitation(models.Model):
    """An admin's offer of a role to a person named by username or email, accepted through a signed link.

    The person is named, not resolved: whether an account with that name exists is decided only when
    the mail is sent (in the background) and when someone signs in to accept, so the admin who invites
    learns nothing about accounts outside their organization.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    username = models.CharField(_("username"), max_length=150, blank=True)
    email = models.CharField(_("email address"), max_length=254, blank=True)
    # What the signed link carries; the signature (SECRET_KEY) makes it unforgeable, the status makes it
    # revocable and single use.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=InvitationStatus.choices,
                              default=InvitationStatus.SENT)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Claimed by the mail task (compare-and-set) so a redelivered task does not mail twice. Set whether or
    # not an account was found to mail: it must not become a record of which names exist.
    mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(username="") & ~models.Q(email="")) | (~models.Q(username="") & models.Q(email="")),
                name="invitation_names_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username or self.email} -> {self.organization} ({self.role}, {self.status})"

    def current_status(self, now) -> str:
        if self.status == InvitationStatus.SENT and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return self.status
