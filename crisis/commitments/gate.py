"""A statement gate (crisis/services/statement_gates.py): a promise confirmed on a draft that a later revision
no longer makes would be tracked, paged and judged as if the brand had said it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisis.models import Statement
from crisis.services.statement_gates import PUBLISH, SUBMIT, StatementGate

from .models import Commitment, CommitmentState

NAME = "promises"


def _still_made(commitment: Commitment, body: str) -> bool:
    """Its sentence is still there, or (its words edited by the author) the words that say when."""
    return commitment.text in body or bool(commitment.due_phrase and commitment.due_phrase in body)


def promises_check(*, statement: Statement, body: str, actor, action: str) -> list[str]:
    confirmed = Commitment.objects.filter(statement=statement, state=CommitmentState.CONFIRMED).order_by("id")
    return [_("A promise confirmed on this draft is no longer in its text: “%(text)s”. Dismiss it, or put it "
              "back.") % {"text": commitment.text}
            for commitment in confirmed.only("text", "due_phrase") if not _still_made(commitment, body)]


def promises_gate() -> StatementGate:
    # Not on recording a post that already went out: it is a new statement, with no promise confirmed on it yet.
    return StatementGate(name=NAME, label=gettext_lazy("Promises still in the text"), check=promises_check,
                         actions=(SUBMIT, PUBLISH))
