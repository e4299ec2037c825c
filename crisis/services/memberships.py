"""Who belongs to an organization, and with which role. Only admins change it.

People join through an invitation they accept (crisis.services.invitations), never by an admin alone.

An organization always keeps at least one admin: without one, nobody could add the commander
who joins at 2 a.m., and only a database operator could repair it.
"""

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
