"""Adding a person to an organization: an admin invites, the person accepts through a signed link.

An admin names the person by username or email address and gets the same answer whether or not such
an account exists, through the same code path: the name is stored as given and only resolved later,
by the background mail task (which nobody waits for) and when someone signs in to accept. So an admin
of one organization cannot probe which names and addresses have accounts, or add a member of another
organization without that person's consent.

The link carries the invitation's random key, signed with SECRET_KEY (django.core.signing); the row
decides the rest: it expires, an admin can revoke it, and accepting it is a compare-and-set from
"sent", so it works once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Invitation, InvitationStatus, Membership, Organization, Role

from .audit import audit_record
from .errors import InvalidTransition, NotFound, PermissionDenied
from .memberships import _forget_role, _name, _organization_lock, _require_admin
from .validation import FieldErrors, check_choice

logger = logging.getLogger(__name__)

INVITATION_SALT = "crisis.invitation"


def _exactly_one_name(errors: FieldErrors, *, username: str | None, email: str | None) -> None:
    if bool(username and username.strip()) == bool(email and email.strip()):
        message = _("Give either a username or an email address (exactly one).")
        errors.add("username", message)
        errors.add("email", message)


def _members_named(organization: Organization, *, username: str, email: str):
    """This organization's members with the name: a question about the admin's own organization only."""
    named = Q(user__username=username) if username else Q(user__email__iexact=email)
    return Membership.objects.filter(named, organization=organization).select_related("user")


def _pending(organization: Organization, *, username: str, email: str, now):
    named = Q(username=username) if username else Q(email__iexact=email)
    return Invitation.objects.filter(named, organization=organization, status=InvitationStatus.SENT,
                                     expires_at__gt=now)


@transaction.atomic
def invitation_send(
    *, organization: Organization, actor, role: str, username: str | None = None, email: str | None = None
) -> Invitation:
    """Invite a person (by username or email) to a role; they are mailed a link to accept.

    Someone who is already a member is refused (their role is changed on their membership instead):
    the admin can see their own members, so saying so reveals nothing about other organizations.
    """
    organization = _organization_lock(organization.pk)
    # Who may invite is settled before anything about the name is looked at.
    _require_admin(actor, organization)
    errors = FieldErrors()
    check_choice(errors, "role", role, Role)
    _exactly_one_name(errors, username=username, email=email)
    errors.raise_if_any()
    username, email = (username or "").strip(), (email or "").strip()
    field = "username" if username else "email"
    existing = _members_named(organization, username=username, email=email).first()
    if existing is not None:
        raise InvalidTransition(_("%(who)s is already a member of this organization.") % {"who": _name(existing.user)},
                                field=field)
    now = clock.now()
    if _pending(organization, username=username, email=email, now=now).exists():
        raise InvalidTransition(_("An invitation for this person is still pending; revoke it to send a new one."),
                                field=field)
    invitation = Invitation.objects.create(
        organization=organization, role=role, username=username, email=email, invited_by=actor,
        created_at=now, expires_at=now + timedelta(seconds=settings.GOLDEN_HOURS_INVITATION_MAX_AGE),
    )
    audit_record(organization=organization, actor=actor, action="invitation.send", obj=invitation,
                 changes={field: username or email, "role": role})
    transaction.on_commit(lambda: _queue_mail(invitation.pk))
    return invitation


def _queue_mail(invitation_id: int) -> None:
    if not getattr(settings, "GOLDEN_HOURS_SEND_TIMERS", True):
        return
    from crisis.tasks import invitation_mail_send

    try:
        invitation_mail_send.delay(invitation_id)
    except Exception:  # noqa: BLE001 (a broker outage must not fail the request; the admin can send again)
        logger.exception("could not queue the mail for invitation %s", invitation_id)


# A freshly queued mail gets this long to go out before the sweep queues it again (the claim in invitation_mail
# makes a duplicate harmless; the grace only saves the broker a message).
RESEND_AFTER = timedelta(minutes=2)
RESEND_BATCH = 100


def invitations_mail_resend(*, now) -> int:
    """Queue again the mail of pending invitations never mailed (the broker was down when they were sent, or the
    task was lost with a worker); run by the engine's housekeeping. Returns how many were queued."""
    lost = list(Invitation.objects.filter(status=InvitationStatus.SENT, mailed_at__isnull=True, expires_at__gt=now,
                                          created_at__lte=now - RESEND_AFTER)
                .order_by("created_at").values_list("pk", flat=True)[:RESEND_BATCH])
    for invitation_id in lost:
        _queue_mail(invitation_id)
    return len(lost)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """Withdraw a pending invitation: its link stops working at once."""
    organization = _organization_lock(invitation.organization_id)
    _require_admin(actor, organization)
    now = clock.now()
    revoked = Invitation.objects.filter(pk=invitation.pk, organization=organization,
                                        status=InvitationStatus.SENT).update(status=InvitationStatus.REVOKED,
                                                                             revoked_at=now)
    current = Invitation.objects.filter(pk=invitation.pk, organization=organization).first()
    if current is None:
        raise NotFound(_("Not found."))
    if revoked != 1:
        raise InvalidTransition(_("This invitation is no longer pending (%(status)s).")
                                % {"status": InvitationStatus(current.current_status(now)).label}, field="status")
    audit_record(organization=organization, actor=actor, action="invitation.revoke", obj=current,
                 changes={"role": current.role})
    return current


# The link


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.key.hex, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("crisis:invitation-accept", kwargs={"token": invitation_token(invitation)})
    return settings.GOLDEN_HOURS_BASE_URL.rstrip("/") + path


def _expired() -> InvalidTransition:
    return InvalidTransition(_("This invitation has expired; ask an admin of the organization for a new one."))


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points at, or NotFound for a link that was altered or never issued."""
    try:
        # The signature's own age check is a second lock on the door; the row's expires_at is the truth.
        key = signing.loads(token, salt=INVITATION_SALT, max_age=settings.GOLDEN_HOURS_INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise _expired() from exc
    except signing.BadSignature as exc:
        raise NotFound(_("This invitation link is not valid.")) from exc
    # Only a value this module signed gets here: a key's hex.
    invitation = Invitation.objects.select_related("organization").filter(key=key).first()
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    return invitation


def _is_invitee(invitation: Invitation, user) -> bool:
    if invitation.username:
        return user.get_username() == invitation.username
    return bool(user.email) and user.email.strip().casefold() == invitation.email.casefold()


def invitation_check(*, invitation: Invitation, user) -> Invitation:
    """Raise the reason this person cannot accept the invitation now, if there is one."""
    if not _is_invitee(invitation, user):
        # Nothing about the organization: the link may have been forwarded or leaked.
        raise PermissionDenied(_("This invitation is for another account; sign in with the account it was sent to."))
    status = invitation.current_status(clock.now())
    if status == InvitationStatus.EXPIRED:
        raise _expired()
    if status == InvitationStatus.REVOKED:
        raise InvalidTransition(_("This invitation was withdrawn by an admin of the organization."))
    if status == InvitationStatus.ACCEPTED:
        raise InvalidTransition(_("This invitation has already been used."))
    if Membership.objects.filter(organization_id=invitation.organization_id, user=user).exists():
        raise InvalidTransition(_("You are already a member of %(org)s.") % {"org": invitation.organization.name})
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The invitee, signed in, takes the role offered: the membership is created once, however often they click."""
    organization = _organization_lock(invitation.organization_id)
    current = Invitation.objects.select_related("organization").get(pk=invitation.pk)
    invitation_check(invitation=current, user=user)
    now = clock.now()
    # The organization lock already serializes accepts; the compare-and-set also holds against a write that
    # bypassed it (the Django admin, a shell) and is what makes the link single use.
    taken = Invitation.objects.filter(pk=current.pk, status=InvitationStatus.SENT, expires_at__gt=now).update(
        status=InvitationStatus.ACCEPTED, accepted_by=user, accepted_at=now)
    if taken != 1:
        raise InvalidTransition(_("This invitation has already been used."))
    membership = Membership.objects.create(organization=organization, user=user, role=current.role)
    _forget_role(user, organization)
    audit_record(organization=organization, actor=user, action="membership.add", obj=membership,
                 changes={"user": user.pk, "role": current.role, "invitation": current.pk})
    return membership


# The mail


def _recipients(invitation: Invitation) -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if invitation.username:
        return list(users.filter(**{get_user_model().USERNAME_FIELD: invitation.username})
                    .values_list("email", flat=True)[:1])
    # Only to an address that has an account: an admin must not be able to mail strangers through us.
    return [invitation.email] if users.filter(email__iexact=invitation.email).exists() else []


@transaction.atomic
def invitation_mail(*, invitation_id: int) -> int:
    """Mail the link (run by a background task); returns how many messages were sent (0 or 1).

    Claimed first (compare-and-set on mailed_at), so a task delivered twice mails once; a failed send
    rolls the claim back, so the task's redelivery tries again.
    """
    now = clock.now()
    claimed = Invitation.objects.filter(pk=invitation_id, mailed_at__isnull=True, status=InvitationStatus.SENT,
                                        expires_at__gt=now).update(mailed_at=now)
    if claimed != 1:
        return 0
    invitation = Invitation.objects.select_related("organization", "invited_by").get(pk=invitation_id)
    recipients = _recipients(invitation)
    if not recipients:
        return 0
    context = {
        "org": invitation.organization.name, "role": Role(invitation.role).label,
        "who": _name(invitation.invited_by) if invitation.invited_by else _("An admin"),
        "url": invitation_url(invitation), "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    subject = _("Invitation to join %(org)s on Golden Hours") % context
    body = _("%(who)s invites you to join %(org)s on Golden Hours as %(role)s.\n\n"
             "Sign in and accept here: %(url)s\n\n"
             "The link works once and until %(expires)s. If you did not expect it, ignore this message.\n") % context
    return send_mail(subject, body, None, recipients, fail_silently=False)
