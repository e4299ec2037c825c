"""Checks a statement passes before it moves on, each owned by the feature that knows the rule.

The statement services know none of them: the fact sheet's consistency check, the comms freeze and any
later rule register a gate here (from their ``AppConfig.ready``), and ``statement_submit_for_review``,
``statement_publish`` and ``statement_record_published`` run the gates for their action inside their
transaction. A gate returns what stands in the way, in words for people; an empty list lets the text
through. Whoever has the right to move the statement may go ahead anyway by giving ``overrides[<gate>]``
a reason: the override is written to the timeline and the audit log, with what it overrode.

Receivers of ``statement_published`` run inside the publishing transaction too (commitments confirmed in
a text become deadlines when it goes out), so what they write commits or rolls back with it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from crisis.models import EventKind, Statement
from crisis.system_lines import line

from .audit import audit_record
from .errors import InvalidInput
from .timeline import timeline_event_append

SUBMIT, PUBLISH, RECORD_PUBLISHED = "submit", "publish", "record_published"
OVERRIDE_REASON_MAX = 2000

# Sent inside the transaction that published ``statement`` (by the desk, or recorded as published
# outside it); arguments: statement, actor.
statement_published = Signal()
# Sent inside the transaction that retracted ``statement``; arguments: statement, actor, reason.
statement_retracted = Signal()


@dataclass(frozen=True)
class StatementGate:
    name: str  # the key of its override, e.g. "consistency"
    label: Promise | str  # what it is, for people: "Consistency with the fact sheet"
    # check(*, statement, body, actor, action) -> reasons it stands in the way; [] lets the text through.
    check: Callable[..., list[str]]
    actions: tuple[str, ...] = (SUBMIT, PUBLISH, RECORD_PUBLISHED)


_gates: dict[str, StatementGate] = {}


def override_hint(name: str) -> str:
    """How an API client goes ahead over a refusing check; the desk says it its own way (its boxes have no keys)."""
    return _("To go ahead anyway, give overrides.%(name)s a reason.") % {"name": name}


def statement_gate_register(gate: StatementGate) -> None:
    """Idempotent per name, as ready() may run twice in tests."""
    _gates[gate.name] = gate


def statement_gates() -> dict[str, StatementGate]:
    return dict(_gates)


def statement_gates_run(*, statement: Statement, actor, action: str, overrides: dict[str, str] | None) -> None:
    """Run the gates for ``action`` on the statement's current text; raise InvalidInput naming
    ``overrides.<gate>`` for each that stands in the way without an override, else record the overrides."""
    overrides = overrides or {}
    errors: dict[str, list[str]] = {}
    for name, reason in overrides.items():
        if name not in _gates:
            errors[f"overrides.{name}"] = [_("No check is called %(name)s; known: %(known)s.")
                                           % {"name": name, "known": ", ".join(sorted(_gates)) or "-"}]
        elif not isinstance(reason, str) or not reason.strip():
            errors[f"overrides.{name}"] = [_("Say why you go ahead anyway.")]
        elif len(reason) > OVERRIDE_REASON_MAX:
            errors[f"overrides.{name}"] = [_("At most %(n)d characters.") % {"n": OVERRIDE_REASON_MAX}]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    from .statements import statement_label

    body = statement.current_version.body if statement.current_version_id else ""
    overridden: list[tuple[StatementGate, list[str], str]] = []
    for name, gate in sorted(_gates.items()):
        if action not in gate.actions:
            continue
        found = [str(reason) for reason in gate.check(statement=statement, body=body, actor=actor, action=action)]
        if not found:
            continue
        if name in overrides:
            overridden.append((gate, found, overrides[name].strip()))
            continue
        errors[f"overrides.{name}"] = [*found, override_hint(name)]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    for gate, found, reason in overridden:
        timeline_event_append(
            incident=statement.incident, kind=EventKind.DECISION, actor=actor,
            line=line("statement.gate_overridden", check=gate.name, s=statement_label(statement), r=reason,
                      found="; ".join(found)),
            metadata={"statement_id": statement.pk, "override": gate.name, "action": action, "found": found},
        )
        audit_record(organization=statement.incident.organization, actor=actor, action="statement.override",
                     obj=statement, changes={"check": gate.name, "reason": reason, "found": found, "action": action})
