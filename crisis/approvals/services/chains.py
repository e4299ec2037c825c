"""Admins set who approves each kind of statement, in which order, with whose deputies and how fast."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Membership, Organization, Role, StatementKind, role_at_least
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate
from crisis.services.validation import FieldErrors, check_choice, check_text

from ..models import ApprovalChain

MAX_STEPS = 8
MAX_PEOPLE = 10
NAME_MAX = 80
LIMIT_MINUTES_MAX = 24 * 60


def approval_chain_for(*, organization: Organization, kind: str) -> ApprovalChain | None:
    """The chain a statement of ``kind`` goes through; None (one approval by any approver) when none is set."""
    chain = ApprovalChain.objects.filter(organization=organization, kind=kind).first()
    return chain if chain is not None and chain.steps else None


def _people(errors: FieldErrors, field: str, value, *, minimum: int) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        errors.add(field, _("Give a list of member ids."))
        return []
    if not minimum <= len(value) <= MAX_PEOPLE:
        errors.add(field, _("Give between %(a)d and %(b)d people.") % {"a": minimum, "b": MAX_PEOPLE})
    if len(set(value)) != len(value):
        errors.add(field, _("Each person once."))
    return list(dict.fromkeys(value))


def _clean_step(errors: FieldErrors, index: int, step) -> dict:
    field = f"steps.{index}"
    if not isinstance(step, dict):
        errors.add(field, _("Each step needs a name and its approvers."))
        return {}
    unknown = set(step) - {"name", "approvers", "deputies", "limit_minutes"}
    if unknown:
        errors.add(field, _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))})
    name = step.get("name")
    check_text(errors, f"{field}.name", name, max_length=NAME_MAX)
    approvers = _people(errors, f"{field}.approvers", step.get("approvers"), minimum=1)
    deputies = _people(errors, f"{field}.deputies", step.get("deputies", []), minimum=0)
    if set(approvers) & set(deputies):
        errors.add(f"{field}.deputies", _("An approver of this step cannot also be its deputy."))
    limit = step.get("limit_minutes")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                              or not 1 <= limit <= LIMIT_MINUTES_MAX):
        errors.add(f"{field}.limit_minutes",
                   _("Give whole minutes between 1 and %(n)d, or nothing for the default.") % {"n": LIMIT_MINUTES_MAX})
    return {"name": name.strip() if isinstance(name, str) else "", "approvers": approvers, "deputies": deputies,
            "limit_minutes": limit}


def _check_people(errors: FieldErrors, organization: Organization, steps: list[dict]) -> None:
    roles = dict(Membership.objects.filter(organization=organization).values_list("user_id", "role"))
    approving_step: dict[int, int] = {}
    for index, step in enumerate(steps):
        for key in ("approvers", "deputies"):
            for user_id in step.get(key, []):
                if user_id not in roles or not role_at_least(roles[user_id], Role.APPROVER):
                    errors.add(f"steps.{index}.{key}",
                               _("Person %(id)d is not an approver (or above) of this organization.") % {"id": user_id})
        for user_id in step.get("approvers", []):
            # One person signs at most one step of a version, so naming them in two would stall the second.
            if approving_step.setdefault(user_id, index) != index:
                errors.add(f"steps.{index}.approvers",
                           _("Person %(id)d already approves step %(n)d; one person approves one step.")
                           % {"id": user_id, "n": approving_step[user_id] + 1})


def _clean(kind, steps) -> tuple[FieldErrors, list[dict]]:
    errors = FieldErrors()
    check_choice(errors, "kind", kind, StatementKind)
    if not isinstance(steps, list):
        errors.add("steps", _("Give a list of steps (an empty list removes the chain)."))
        return errors, []
    if len(steps) > MAX_STEPS:
        errors.add("steps", _("At most %(n)d steps.") % {"n": MAX_STEPS})
    return errors, [_clean_step(errors, index, step) for index, step in enumerate(steps)]


@transaction.atomic
def approval_chain_set(*, organization: Organization, actor, kind: str, steps: list[dict],
                       expected_version: int) -> ApprovalChain:
    """Replace the chain of ``kind`` as a whole; ``expected_version`` is the version the admin edited (0 when
    there was none). No steps: statements of that kind need one approval by any approver again."""
    membership_require(user=actor, organization=organization, role=Role.ADMIN)
    errors, cleaned = _clean(kind, steps)
    if not errors.fields:
        _check_people(errors, organization, cleaned)
    errors.raise_if_any()
    now = clock.recorded_now()
    chain = ApprovalChain.objects.filter(organization=organization, kind=kind).first()
    current = chain.version if chain else 0
    if expected_version != current:
        raise ConcurrentUpdate(_("Somebody else changed this chain first; reload and try again."), field="version")
    if chain is None:
        try:
            with transaction.atomic():
                chain = ApprovalChain.objects.create(organization=organization, kind=kind, steps=cleaned,
                                                     updated_by=actor, updated_at=now)
        except IntegrityError as exc:
            raise ConcurrentUpdate(_("Somebody else changed this chain first; reload and try again."),
                                   field="version") from exc
    else:
        if ApprovalChain.objects.filter(pk=chain.pk, version=expected_version).update(
                steps=cleaned, version=F("version") + 1, updated_by=actor, updated_at=now) != 1:
            raise ConcurrentUpdate(_("Somebody else changed this chain first; reload and try again."),
                                   field="version")
        chain.refresh_from_db()
    audit_record(organization=organization, actor=actor, action="approval_chain.set", obj=chain,
                 changes={"kind": kind, "steps": cleaned, "version": chain.version})
    return chain
