"""The "consistency" statement gate: a text going out must not contradict the fact sheet or what another
channel already published (crisis/facts/matching.py says what counts as a contradiction)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisis.models import Channel, Statement
from crisis.services.statement_gates import PUBLISH, SUBMIT, StatementGate

from ..matching import Conflict, Reference, conflicts_find
from ..selectors import facts_live, statements_published_elsewhere

GATE = "consistency"


def consistency_references(*, statement: Statement) -> list[Reference]:
    sheet = _("Fact sheet")
    references = [Reference("fact", fact.pk, sheet, fact.text)
                  for fact in facts_live(incident_id=statement.incident_id)]
    for other in statements_published_elsewhere(statement=statement):
        said = other.published_version or other.current_version
        if said is not None:
            references.append(Reference("statement", other.pk, str(Channel(other.channel).label), said.body))
    return references


def consistency_check(*, statement: Statement, body: str | None = None) -> list[Conflict]:
    """The statement's text (or ``body``) against the sheet and the other channels; [] when it agrees."""
    if body is None:
        body = statement.current_version.body if statement.current_version_id else ""
    return conflicts_find(body, consistency_references(statement=statement))


def conflict_sentence(conflict: Conflict) -> str:
    theirs, ours = conflict.theirs, conflict.ours
    return _("%(source)s said %(theirs)s (%(a)s); this text says %(ours)s (%(b)s).") % {
        "source": conflict.reference.label, "theirs": theirs.shown, "a": theirs.value,
        "ours": ours.shown, "b": ours.value}


def _gate_check(*, statement: Statement, body: str, actor, action: str) -> list[str]:
    return [conflict_sentence(c) for c in consistency_check(statement=statement, body=body)]


def consistency_gate() -> StatementGate:
    # Not on recording a post that already went out (from a phone, or in an imported past crisis): refusing
    # the record cannot unsay it, and the desk needs it on file, where it becomes a reference for what follows.
    return StatementGate(name=GATE, label=gettext_lazy("Consistency with the fact sheet and other channels"),
                         check=_gate_check, actions=(SUBMIT, PUBLISH))
