"""Adding and editing the organization's list of journalists, outlets, regulators, partners and opinion leaders."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Organization, Role, StatementLanguage
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate, DomainError
from crisis.services.validation import FieldErrors, check_choice, check_text

from ..models import Stakeholder, StakeholderChannel, StakeholderKind
from ..models.stakeholders import stakeholder_natural_key

NAME_MAX = 200
OUTLET_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 40
HANDLE_MAX = 100
NOTES_MAX = 2000
TAG_MAX = 50
TAGS_MAX = 20
EDITABLE = ("name", "outlet", "kind", "channel", "language", "email", "phone", "handle", "tags", "notes")
DEFAULTS: dict[str, Any] = {"outlet": "", "channel": StakeholderChannel.EMAIL, "language": StatementLanguage.ZH_HANS,
                            "email": "", "phone": "", "handle": "", "tags": [], "notes": ""}


def tags_normalized(tags: list[str]) -> list[str]:
    """Tags as typed, trimmed, each once, in the order given: "媒体" and " 媒体 " are one tag."""
    seen: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def _check_tags(errors: FieldErrors, tags) -> None:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.add("tags", _("Give a list of tags (text)."))
    elif len(tags) > TAGS_MAX:
        errors.add("tags", _("At most %(n)d tags.") % {"n": TAGS_MAX})
    elif any(len(t.strip()) > TAG_MAX for t in tags):
        errors.add("tags", _("A tag has at most %(n)d characters.") % {"n": TAG_MAX})


def stakeholder_errors(fields: dict[str, Any]) -> FieldErrors:
    """Every reason a stakeholder's fields are refused, for one form, one API call or one CSV row."""
    errors = FieldErrors()
    check_text(errors, "name", fields["name"], max_length=NAME_MAX)
    check_text(errors, "outlet", fields["outlet"], max_length=OUTLET_MAX, required=False)
    check_choice(errors, "kind", fields["kind"], StakeholderKind)
    check_choice(errors, "channel", fields["channel"], StakeholderChannel)
    check_choice(errors, "language", fields["language"], StatementLanguage)
    check_text(errors, "email", fields["email"], max_length=EMAIL_MAX, required=False)
    if isinstance(fields["email"], str) and fields["email"].strip() and "@" not in fields["email"]:
        errors.add("email", _("Give an email address, with an @."))
    check_text(errors, "phone", fields["phone"], max_length=PHONE_MAX, required=False)
    check_text(errors, "handle", fields["handle"], max_length=HANDLE_MAX, required=False)
    _check_tags(errors, fields["tags"])
    check_text(errors, "notes", fields["notes"], max_length=NOTES_MAX, required=False)
    for name, value in fields.items():
        if isinstance(value, str) and "\x00" in value:
            errors.add(name, _("Contains a NUL character (byte 0), which text cannot hold."))
    return errors


def stakeholder_fields_clean(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    cleaned["tags"] = tags_normalized(cleaned["tags"])
    cleaned["natural_key"] = stakeholder_natural_key(email=cleaned["email"], handle=cleaned["handle"])
    return cleaned


class DuplicateStakeholder(DomainError):
    """The list has this person already (same email, else handle): a conflict with what is stored, not bad input."""

    code = "conflict"


def _duplicate(errors_field: str) -> DuplicateStakeholder:
    return DuplicateStakeholder(_("Somebody on the list already has this email or handle."), field=errors_field)


@transaction.atomic
def stakeholder_create(*, organization: Organization, actor, **fields: Any) -> Stakeholder:
    membership_require(user=actor, organization=organization, role=Role.RESPONDER)
    fields = {**DEFAULTS, **fields}
    stakeholder_errors(fields).raise_if_any()
    now = clock.recorded_now()
    try:
        with transaction.atomic():
            stakeholder = Stakeholder.objects.create(organization=organization, created_by=actor, created_at=now,
                                                     updated_at=now, **stakeholder_fields_clean(fields))
    except IntegrityError as exc:
        raise _duplicate("email" if fields["email"].strip() else "handle") from exc
    audit_record(organization=organization, actor=actor, action="stakeholder.create", obj=stakeholder,
                 changes={name: getattr(stakeholder, name) for name in EDITABLE})
    return stakeholder


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, actor, expected_version: int, **changes: Any) -> Stakeholder:
    """Compare-and-set on the version the editor saw: two people fixing one entry cannot overwrite each other."""
    membership_require(user=actor, organization=stakeholder.organization, role=Role.RESPONDER)
    fields = {**{name: getattr(stakeholder, name) for name in EDITABLE}, **changes}
    stakeholder_errors(fields).raise_if_any()
    cleaned = stakeholder_fields_clean(fields)
    cleaned["updated_at"] = clock.recorded_now()
    try:
        with transaction.atomic():
            updated = Stakeholder.objects.filter(pk=stakeholder.pk, version=expected_version).update(
                version=expected_version + 1, **cleaned)
    except IntegrityError as exc:
        raise _duplicate("email" if cleaned["email"] else "handle") from exc
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this entry first; reload and try again."), field="version")
    before = {name: getattr(stakeholder, name) for name in changes}
    for name, value in cleaned.items():
        setattr(stakeholder, name, value)
    stakeholder.version = expected_version + 1
    audit_record(organization=stakeholder.organization, actor=actor, action="stakeholder.update", obj=stakeholder,
                 changes={name: {"from": before[name], "to": getattr(stakeholder, name)} for name in changes
                          if before[name] != getattr(stakeholder, name)})
    return stakeholder
