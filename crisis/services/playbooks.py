"""Editing a playbook makes a new version; incidents already open keep the snapshot they started with."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crisis.models import (
    PUBLIC_CHANNELS,
    Channel,
    EventKind,
    Playbook,
    PlaybookStep,
    RecurUntil,
    Role,
    SatisfiedBy,
    Severity,
    StatementKind,
)

from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidInput
from .validation import FieldErrors, check_choice, check_number, check_text

WEEK = 7 * 24 * 3600
STEP_FIELDS = ("key", "name", "description", "satisfied_by", "statement_kinds", "channel", "event_kind",
               "offset_seconds", "severity_offsets", "recurrence_seconds", "recur_until", "recur_until_seconds",
               "responsible_role", "warn_before_seconds")


def playbook_steps_as_data(*, playbook: Playbook) -> list[dict[str, Any]]:
    return [{field: getattr(step, field) for field in STEP_FIELDS} for step in playbook.steps.order_by("position")]


def _check_step(errors: FieldErrors, index: int, step: dict[str, Any]) -> None:
    def field(name: str) -> str:
        return f"steps[{index}].{name}"

    check_text(errors, field("name"), step.get("name"), max_length=200)
    check_choice(errors, field("satisfied_by"), step.get("satisfied_by"), SatisfiedBy)
    check_choice(errors, field("responsible_role"), step.get("responsible_role"), Role)
    check_number(errors, field("offset_seconds"), step.get("offset_seconds"), minimum=0, maximum=WEEK, integer=True)
    if step.get("offset_seconds") is None:
        errors.add(field("offset_seconds"), _("This field is required."))
    check_number(errors, field("warn_before_seconds"), step.get("warn_before_seconds", 0), minimum=0, maximum=WEEK,
                 integer=True)
    offsets = step.get("severity_offsets") or {}
    if not isinstance(offsets, dict) or any(str(k) not in {str(v) for v in Severity.values} for k in offsets):
        errors.add(field("severity_offsets"), _("Give offsets keyed by severity 1 to 4."))
    else:
        for seconds in offsets.values():
            check_number(errors, field("severity_offsets"), seconds, minimum=0, maximum=WEEK, integer=True)
    recurrence = step.get("recurrence_seconds")
    if recurrence is not None:
        check_number(errors, field("recurrence_seconds"), recurrence, minimum=60, maximum=WEEK, integer=True)
        if step.get("recur_until") not in RecurUntil.values:
            errors.add(field("recur_until"), _("Say until when it repeats."))
        elif step["recur_until"] == RecurUntil.OFFSET and not step.get("recur_until_seconds"):
            errors.add(field("recur_until_seconds"), _("Give the offset at which the repetition stops."))
    if step.get("satisfied_by") == SatisfiedBy.EVENT_KIND:
        check_choice(errors, field("event_kind"), step.get("event_kind"), EventKind)
    if step.get("satisfied_by") == SatisfiedBy.STATEMENT_PUBLISHED:
        kinds = step.get("statement_kinds") or []
        if not isinstance(kinds, list) or any(k not in StatementKind.values for k in kinds):
            errors.add(field("statement_kinds"), _("Unknown statement kind."))
        if step.get("channel") not in ("", None, PUBLIC_CHANNELS, *Channel.values):
            errors.add(field("channel"), _("Unknown channel."))


def _normalise(step: dict[str, Any]) -> dict[str, Any]:
    data = {name: step.get(name) for name in STEP_FIELDS}
    data["key"] = slugify(data["key"] or data["name"] or "")[:80] or "step"
    data["description"] = data["description"] or ""
    data["statement_kinds"] = data["statement_kinds"] or []
    data["channel"] = data["channel"] or ""
    data["event_kind"] = data["event_kind"] or ""
    data["severity_offsets"] = {str(k): int(v) for k, v in (data["severity_offsets"] or {}).items()}
    data["recur_until"] = data["recur_until"] or ""
    data["warn_before_seconds"] = data["warn_before_seconds"] or 0
    return data


@transaction.atomic
def playbook_revise(*, playbook: Playbook, actor, steps: list[dict[str, Any]], expected_version: int) -> Playbook:
    """Replace the steps by writing version n+1; a colleague's concurrent edit makes this lose (409)."""
    membership_require(user=actor, organization=playbook.organization, role=Role.ADMIN)
    if expected_version != playbook.version:
        raise ConcurrentUpdate(_("Somebody else edited this playbook first; reload and try again."), field="version")
    if not isinstance(steps, list) or not steps:
        raise InvalidInput(_("A playbook needs at least one step."), field="steps")
    errors = FieldErrors()
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            errors.add(f"steps[{index}]", _("Must be an object."))
        else:
            _check_step(errors, index, step)
    errors.raise_if_any()
    data = [_normalise(step) for step in steps]
    keys = [step["key"] for step in data]
    if len(set(keys)) != len(keys):
        raise InvalidInput(_("Two steps have the same key."), field="steps")
    retired = Playbook.objects.filter(pk=playbook.pk, version=playbook.version, is_active=True).update(is_active=False)
    if retired != 1:
        raise ConcurrentUpdate(_("Somebody else edited this playbook first; reload and try again."), field="version")
    try:
        with transaction.atomic():
            revised = Playbook.objects.create(
                organization=playbook.organization, key=playbook.key, name=playbook.name,
                description=playbook.description, version=playbook.version + 1, is_active=True,
            )
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Somebody else edited this playbook first; reload and try again.")) from exc
    PlaybookStep.objects.bulk_create(
        PlaybookStep(playbook=revised, position=position, **step) for position, step in enumerate(data)
    )
    audit_record(organization=playbook.organization, actor=actor, action="playbook.revise", obj=revised,
                 changes={"from_version": playbook.version, "steps": keys})
    return revised
