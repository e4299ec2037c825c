"""The first run on a fresh server: an organization and its first admin, without Django's admin.

Run by ``manage.py golden_hours_setup``. Running it again with the same names changes nothing and says
so; everyone else joins through invitations from the desk (crisis.services.invitations). It never
changes an existing account (password, email) nor an existing organization (name, time zone): an
installer re-running a script must not reset anybody's password.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crisis.models import Membership, Organization, Role
from crisis.models.zones import validate_time_zone

from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidTransition
from .validation import FieldErrors

NAME_MAX = 200
SLUG_MAX = 80


@dataclass(frozen=True)
class SetupResult:
    organization: Organization
    user: object
    organization_created: bool
    user_created: bool
    membership_created: bool

    @property
    def changed_anything(self) -> bool:
        return self.organization_created or self.user_created or self.membership_created


def _check_account(errors: FieldErrors, *, username: str, email: str, missing: str) -> None:
    if not username:
        errors.add("username", missing)
    else:
        try:
            get_user_model().username_validator(username)
        except ValidationError as exc:
            errors.add("username", " ".join(exc.messages))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", _("Enter a valid email address."))


def _check(errors: FieldErrors, *, name: str, slug: str, username: str, email: str, time_zone: str) -> None:
    if not name:
        errors.add("organization", _("Give the organization's name."))
    elif len(name) > NAME_MAX:
        errors.add("organization", _("The name is longer than %(n)d characters.") % {"n": NAME_MAX})
    if not slug:
        errors.add("slug", _("Give a slug (letters, digits and hyphens) for the organization."))
    elif len(slug) > SLUG_MAX or slugify(slug) != slug:
        errors.add("slug", _("A slug is up to %(n)d lower-case letters, digits and hyphens.") % {"n": SLUG_MAX})
    _check_account(errors, username=username, email=email, missing=_("Give the admin's username."))
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors.add("time_zone", " ".join(exc.messages))


def _user_new(errors: FieldErrors, *, username: str, email: str, password: str | None):
    User = get_user_model()
    if not password:
        errors.add("password", _("A new account needs a password."))
        errors.raise_if_any()
    user = User(username=username, email=email, is_active=True)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors.add("password", " ".join(exc.messages))
    errors.raise_if_any()
    user.set_password(password)
    user.save()
    return user


def _organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.select_for_update().filter(slug=slug).first()


@transaction.atomic
def account_create(*, username: str, email: str, password: str | None) -> tuple[object, bool]:
    """An account an admin can then invite (invitations are mailed only to existing accounts).

    Returns (the account, whether it was created): an existing one is left as it is, password and all.
    """
    username, email = username.strip(), email.strip()
    errors = FieldErrors()
    _check_account(errors, username=username, email=email, missing=_("Give a username."))
    errors.raise_if_any()
    existing = get_user_model().objects.filter(username=username).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            user = _user_new(errors, username=username, email=email, password=password)
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Another run created %(slug)s at the same moment; run the command again.")
                               % {"slug": username}, field="username") from exc
    audit_record(organization=None, actor=None, action="user.create", obj=user,
                 changes={"username": username, "email": email})
    return user, True


@transaction.atomic
def organization_setup(
    *, name: str, username: str, time_zone: str, email: str = "", password: str | None = None, slug: str = ""
) -> SetupResult:
    """Create the organization (found again by its slug) and make ``username`` its admin, creating the account
    if there is none. What exists already is left as it is; the result says what was created."""
    name, username, email = name.strip(), username.strip(), email.strip()
    slug = (slug or slugify(name)).strip()
    errors = FieldErrors()
    _check(errors, name=name, slug=slug, username=username, email=email, time_zone=time_zone)
    errors.raise_if_any()

    organization = _organization_by_slug(slug)
    if organization is not None and organization.name != name:
        raise InvalidTransition(_("The slug %(slug)s belongs to another organization, %(other)s; choose another slug.")
                                % {"slug": slug, "other": organization.name}, field="slug")
    user = get_user_model().objects.filter(username=username).first()
    if organization is not None and user is not None:
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if membership is not None and membership.role == Role.ADMIN:
            return SetupResult(organization=organization, user=user, organization_created=False,
                               user_created=False, membership_created=False)
    if organization is not None:
        # Setting up is for the first admin: once an organization exists, its admins add people from the desk.
        raise InvalidTransition(_(
            "%(org)s already exists and %(user)s is not its admin; an admin of it can invite people from the "
            "desk's Members page.") % {"org": organization.name, "user": username}, field="username")

    try:
        # The unique slug decides between two runs at once: the second one's insert fails here.
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug, time_zone=time_zone)
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Another run created %(slug)s at the same moment; run the command again.")
                               % {"slug": slug}, field="slug") from exc
    audit_record(organization=organization, actor=None, action="organization.create", obj=organization,
                 changes={"name": name, "slug": slug, "time_zone": time_zone})
    user_created = user is None
    if user_created:
        user = _user_new(errors, username=username, email=email, password=password)
        audit_record(organization=organization, actor=None, action="user.create", obj=user,
                     changes={"username": username, "email": email})
    membership = Membership.objects.create(organization=organization, user=user, role=Role.ADMIN)
    audit_record(organization=organization, actor=None, action="membership.add", obj=membership,
                 changes={"user": user.pk, "role": Role.ADMIN})
    return SetupResult(organization=organization, user=user, organization_created=True,
                       user_created=user_created, membership_created=True)
