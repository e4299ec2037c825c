"""Who belongs to an organization, and with which role. Only admins change it.

An organization always keeps at least one admin: without one, nobody could add the commander
who joins at 2 a.m., and only a database operator could repair it.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis.models import Membership, Organization, Role

from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidTransition, NotFound
from .validation import FieldErrors, check_choice


def _organization_lock(organization_id: int) -> Organization:
    """Serialize the membership changes of one organization.

    The last-admin rule reads several rows (is anybody else an admin?) and then writes one, so two
    admins demoting each other at once would each still see the other as an admin, and both would
    win. Holding the organization row makes the second wait and count again after the first commits.
    FOR NO KEY UPDATE rather than FOR UPDATE: it does not conflict with the key-share lock that every
    insert referencing the organization takes, so incidents and audit rows keep being written meanwhile.
    """
    return Organization.objects.select_for_update(no_key=True).get(pk=organization_id)


def _forget_role(user, organization: Organization) -> None:
    # crisis.services.access caches roles on the user object for a request; a role read before the
    # lock was taken may be one another admin has just changed.
    if user is not None:
        user.__dict__.get("_golden_hours_roles", {}).pop(organization.pk, None)


def _require_admin(actor, organization: Organization) -> None:
    _forget_role(actor, organization)
    membership_require(user=actor, organization=organization, role=Role.ADMIN)


def _current(membership: Membership, organization: Organization) -> Membership:
    current = Membership.objects.select_related("user").filter(pk=membership.pk, organization=organization).first()
    if current is None:
        raise NotFound(_("This person is no longer a member of the organization."))
    return current


def _check_version(current: Membership, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != current.version:
        raise ConcurrentUpdate(_("Somebody else changed this member first; reload and try again."), field="version")


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _keep_an_admin(organization: Organization, *, losing: Membership, message: str) -> None:
    if not Membership.objects.filter(organization=organization, role=Role.ADMIN).exclude(pk=losing.pk).exists():
        raise InvalidTransition(message, field="role")


def _user_named(errors: FieldErrors, *, username: str | None, email: str | None):
    """The one active account with this username or email address, or a reason on the field given."""
    if bool(username) == bool(email):
        message = _("Give either a username or an email address (exactly one).")
        errors.add("username", message)
        errors.add("email", message)
        return None
    users = get_user_model().objects.filter(is_active=True)
    if username:
        matches = list(users.filter(**{get_user_model().USERNAME_FIELD: username})[:2])
        field, missing = "username", _("No active account has this username.")
    else:
        matches = list(users.filter(email__iexact=email.strip())[:2])
        field, missing = "email", _("No active account has this email address.")
    if not matches:
        errors.add(field, missing)
        return None
    if len(matches) > 1:
        errors.add(field, _("Several accounts use this email address; give the username instead."))
        return None
    return matches[0]


@transaction.atomic
def membership_add(
    *, organization: Organization, actor, role: str, username: str | None = None, email: str | None = None
) -> Membership:
    """Give an existing account a role in the organization; the account is named by username or email."""
    organization = _organization_lock(organization.pk)
    # Who may add whom is settled before the lookup says whether an account exists.
    _require_admin(actor, organization)
    errors = FieldErrors()
    check_choice(errors, "role", role, Role)
    user = _user_named(errors, username=username, email=email)
    errors.raise_if_any()
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise InvalidTransition(_("%(who)s is already a member of this organization.") % {"who": _name(user)},
                                field="username" if username else "email")
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    audit_record(organization=organization, actor=actor, action="membership.add", obj=membership,
                 changes={"user": user.pk, "role": role})
    return membership


@transaction.atomic
def membership_role_change(
    *, membership: Membership, actor, role: str, expected_version: int | None = None
) -> Membership:
    """Give a member another role. Demoting the organization's last admin is refused."""
    organization = _organization_lock(membership.organization_id)
    _require_admin(actor, organization)
    errors = FieldErrors()
    check_choice(errors, "role", role, Role)
    errors.raise_if_any()
    current = _current(membership, organization)
    _check_version(current, expected_version)
    previous = current.role
    if previous == role:
        return current
    if previous == Role.ADMIN:
        _keep_an_admin(organization, losing=current, message=_(
            "%(who)s is the organization's last admin; make someone else an admin first."
        ) % {"who": _name(current.user)})
    # The lock serializes the services; the compare-and-set also catches a write that bypassed them.
    updated = Membership.objects.filter(pk=current.pk, version=current.version, role=previous).update(
        role=role, version=F("version") + 1
    )
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this member first; reload and try again."), field="version")
    current.role, current.version = role, current.version + 1
    _forget_role(actor, organization)
    audit_record(organization=organization, actor=actor, action="membership.role_change", obj=current,
                 changes={"user": current.user_id, "from": previous, "to": role})
    return current


@transaction.atomic
def membership_remove(*, membership: Membership, actor, expected_version: int | None = None) -> None:
    """Take a person out of the organization. Removing its last admin is refused."""
    organization = _organization_lock(membership.organization_id)
    _require_admin(actor, organization)
    current = _current(membership, organization)
    _check_version(current, expected_version)
    if current.role == Role.ADMIN:
        _keep_an_admin(organization, losing=current, message=_(
            "%(who)s is the organization's last admin; make someone else an admin before removing them."
        ) % {"who": _name(current.user)})
    deleted = Membership.objects.filter(pk=current.pk, version=current.version, role=current.role).delete()[1]
    if deleted.get(Membership._meta.label) != 1:
        raise ConcurrentUpdate(_("Somebody else changed this member first; reload and try again."), field="version")
    _forget_role(actor, organization)
    audit_record(organization=organization, actor=actor, action="membership.remove", obj=current,
                 changes={"user": current.user_id, "role": current.role})
