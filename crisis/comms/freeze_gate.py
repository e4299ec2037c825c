"""The "freeze" statement gate: while an incident at the organization's freeze severity or worse is open, a
statement on a channel of its freeze list goes out only with the commander's override.

The gate API lets anyone who may publish override a gate; a freeze is the commander's call, so the check itself
refuses, with no way around it, when the person publishing is not the commander (the incident's commander, or
anybody holding the Commander role when the incident names none). The commander gets the reasons back and may
give ``overrides.freeze`` a reason, which the gate machinery records on the timeline and the audit log.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisis.models import Channel, Role, Statement
from crisis.services.access import membership_role
from crisis.services.errors import InvalidInput
from crisis.services.statement_gates import PUBLISH, RECORD_PUBLISHED, StatementGate, statement_gate_register

from .selectors import freeze_state

NAME = "freeze"


def is_commander(*, actor, statement: Statement) -> bool:
    if actor is None:  # the system itself (an import, a migration)
        return True
    incident = statement.incident
    if incident.commander_id is not None:
        return incident.commander_id == actor.pk
    role = membership_role(user=actor, organization=incident.organization)
    return role in (Role.COMMANDER, Role.ADMIN)


def freeze_check(*, statement: Statement, body: str, actor, action: str) -> list[str]:
    state = freeze_state(organization_id=statement.incident.organization_id, for_banner=True)
    entries = state.entries_for(statement.channel) if state.incidents else []
    if not entries:
        return []
    why = _("Comms freeze in effect while %(incidents)s is open: %(channel)s is on the freeze list%(notes)s.") % {
        "incidents": "; ".join(f"{incident.title} (SEV{incident.severity})" for incident in state.incidents),
        "channel": Channel(statement.channel).label,
        "notes": "".join(f" ({entry.note})" for entry in entries if entry.note),
    }
    if not is_commander(actor=actor, statement=statement):
        commander = statement.incident.commander
        who = (commander.get_full_name() or commander.get_username()) if commander else _("a commander")
        raise InvalidInput(why, fields={f"overrides.{NAME}": [
            why, _("Only the incident commander (%(who)s) can publish on a frozen channel.") % {"who": who}]})
    return [why]


def freeze_gate_register() -> None:
    statement_gate_register(StatementGate(name=NAME, label=gettext_lazy("Comms freeze"), check=freeze_check,
                                          actions=(PUBLISH, RECORD_PUBLISHED)))
