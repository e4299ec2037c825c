"""Calendar link secrets: made out on a person's first look at the on-call page, rotated by the person, by an
admin, or by leaving an organization. Rotating makes every link the person holds a 404 at once."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Membership, Organization, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import NotFound

from ..models import CalendarSecret


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


def calendar_secret_for(*, user) -> str:
    """The person's current secret, made on first use (of two first uses at once, the first to commit wins)."""
    row = CalendarSecret.objects.filter(user=user).first()
    if row is not None:
        return row.secret
    try:
        with transaction.atomic():
            return CalendarSecret.objects.create(user=user, secret=_new_secret(), rotated_at=clock.now()).secret
    except IntegrityError:
        return CalendarSecret.objects.get(user=user).secret


def _require_may_rotate(*, user, actor, organization: Organization | None) -> None:
    """The person may always; anyone else must be an admin of an organization ``user`` belongs to. Someone of
    another organization gets a 404 (neither the organization nor the person is theirs to confirm)."""
    if actor is None or actor.pk == user.pk:
        return
    if organization is None:
        raise NotFound(_("Not found."))
    membership_require(user=actor, organization=organization, role=Role.VIEWER)
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise NotFound(_("Not found."))
    membership_require(user=actor, organization=organization, role=Role.ADMIN)


@transaction.atomic
def calendar_secret_rotate(*, user, actor, organization: Organization | None) -> CalendarSecret:
    """Revoke every calendar link of ``user``; the on-call page shows new ones. ``organization`` is where the
    actor acts (an admin's), and where the audit row goes."""
    _require_may_rotate(user=user, actor=actor, organization=organization)
    row, _created = CalendarSecret.objects.update_or_create(
        user=user, defaults={"secret": _new_secret(), "rotated_at": clock.now()})
    audit_record(organization=organization, actor=actor, action="calendar.rotate", obj=row,
                 changes={"user": user.pk})
    return row


def calendar_secret_forget(*, user_id: int) -> int:
    """A membership ended: the links made out while it lasted must not come back if the person is added again.
    No audit row here: the removal is audited where it happens. Nothing to do for someone who never had links
    (and nothing may be created: this also runs while a user is being deleted)."""
    return CalendarSecret.objects.filter(user_id=user_id).update(secret=_new_secret(), rotated_at=clock.now())
