from django.utils.translation import gettext as _

from crisis.models import Membership, Organization, Role, role_at_least

from .errors import NotFound, PermissionDenied


def membership_role(*, user, organization: Organization) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_golden_hours_roles", {})
    if organization.pk not in cache:
        cache[organization.pk] = (
            Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()
        )
    return cache[organization.pk]


def membership_require(*, user, organization: Organization, role: str) -> None:
    """Raise unless ``user`` holds at least ``role`` in ``organization``.

    ``user=None`` is the system itself (the engine, a migration) and is always allowed.
    A user outside the organization gets NotFound, not PermissionDenied: another
    organization's crisis must not even be confirmed to exist.
    """
    if user is None:
        return
    actual = membership_role(user=user, organization=organization)
    if actual is None:
        raise NotFound(_("Not found."))
    if not role_at_least(actual, role):
        raise PermissionDenied(
            _("This needs the %(role)s role; you are %(actual)s.")
            % {"role": Role(role).label, "actual": Role(actual).label}
        )
