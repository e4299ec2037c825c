"""What the on-call setup services share: who may change configuration, the model's own rules as domain
errors, and compare-and-set on a row's version."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis.models import Membership, Organization, Role
from crisis.services.access import membership_require
from crisis.services.errors import ConcurrentUpdate, InvalidInput, NotFound


def admin_require(*, actor, organization: Organization) -> None:
    """Schedules and policies decide who is woken at night: organization admins set them up."""
    membership_require(user=actor, organization=organization, role=Role.ADMIN)


def model_check(row: models.Model, *, exclude: list[str] | None = None) -> None:
    """Lengths, choices, validators and constraints of the model, as a domain error beside the field."""
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], fields=exc.message_dict) from exc


def saved_or_invalid(row: models.Model, *, field: str, message: str) -> None:
    """Save, turning a unique constraint lost to a concurrent insert into the same error full_clean gives."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise InvalidInput(message, field=field) from exc


def version_bump(model: type[models.Model], *, pk: int, version: int, **fields) -> None:
    """Compare-and-set: write ``fields`` only if nobody changed the row since ``version`` was read."""
    if model.objects.filter(pk=pk, version=version).update(version=F("version") + 1, **fields):
        return
    if not model.objects.filter(pk=pk).exists():
        raise NotFound(_("Someone removed this while you were editing it."))
    raise ConcurrentUpdate(_("Someone changed this while you were editing it. Reload the page to see their "
                             "change, then make yours again."))


def version_delete(model: type[models.Model], *, pk: int, version: int) -> None:
    """Delete only the version that was shown: removing what someone just changed would lose their change unseen."""
    deleted, _rows = model.objects.filter(pk=pk, version=version).delete()
    if deleted:
        return
    if not model.objects.filter(pk=pk).exists():
        raise NotFound(_("Someone removed this already."))
    raise ConcurrentUpdate(_("Someone changed this while you were looking at it. Reload the page and decide "
                             "again."))


def members_require(*, organization: Organization, user_ids: list[int], field: str) -> None:
    """Every person named must belong to the organization (one query, whatever their number)."""
    found = set(Membership.objects.filter(organization=organization, user_id__in=user_ids)
                .values_list("user_id", flat=True))
    if set(user_ids) - found:
        raise InvalidInput(_("Everyone named must be a member of the organization."), field=field)
