"""Real concurrency on PostgreSQL: two people acting on the same promise at once; one wins, one loses cleanly."""

import pytest

from crisis.commitments.models import Commitment, CommitmentState
from crisis.commitments.services.changes import commitment_confirm, commitment_dismiss
from crisis.commitments.services.keeping import commitment_keep, commitment_withdraw
from crisis.models import DeadlineKind, DeadlineState, Statement, StatementStatus
from crisis.services.errors import ConcurrentUpdate, InvalidTransition
from crisis.services.statements import statement_retract
from tests.oncall.test_races import ON_POSTGRES, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


def test_a_confirm_and_a_dismiss_at_once_leave_exactly_one(commanded_incident, people, published, at):
    incident = commanded_incident()
    statement, (suggestion,) = published(incident, "我们将在30分钟内公布调查进展。", at=4)
    errors = race(lambda: commitment_confirm(commitment=Commitment.objects.get(pk=suggestion.pk),
                                             actor=people["responder"]),
                  lambda: commitment_dismiss(commitment=Commitment.objects.get(pk=suggestion.pk),
                                             actor=people["approver"]))
    assert len(errors) == 1 and isinstance(errors[0], ConcurrentUpdate | InvalidTransition)
    state = Commitment.objects.get(pk=suggestion.pk).state
    deadlines = incident.deadlines.filter(kind=DeadlineKind.COMMITMENT).count()
    assert (state, deadlines) in ((CommitmentState.OPEN, 1), (CommitmentState.DISMISSED, 0))


# Kept: the deadline met; withdrawn (by hand, or with its statement): the deadline cancelled.
DEADLINE_FOR = {CommitmentState.KEPT: DeadlineState.MET, CommitmentState.WITHDRAWN: DeadlineState.CANCELLED}


def _open_and_a_later_statement(incident, people, published):
    """An open promise made at T0+1 and a statement at T0+4 that could keep it; and a keep, ready to race."""
    statement, (suggestion,) = published(incident, "我们将在30分钟内公布调查进展。", at=1)
    commitment = commitment_confirm(commitment=suggestion, actor=people["responder"])
    later, _ = published(incident, "调查进展：初步确认为电池故障。", at=4)
    return statement, commitment, lambda: commitment_keep(commitment=Commitment.objects.get(pk=commitment.pk),
                                                          actor=people["responder"], kept_by_statement=later)


def test_a_keep_and_a_withdraw_at_once_leave_exactly_one(commanded_incident, people, published, at):
    _statement, commitment, keep = _open_and_a_later_statement(commanded_incident(), people, published)
    errors = race(keep, lambda: commitment_withdraw(commitment=Commitment.objects.get(pk=commitment.pk),
                                                    actor=people["commander"], reason="监管部门要求暂缓"))
    assert len(errors) == 1 and isinstance(errors[0], ConcurrentUpdate | InvalidTransition)
    row = Commitment.objects.select_related("deadline").get(pk=commitment.pk)
    assert row.deadline.state == DEADLINE_FOR[row.state]


def test_a_keep_and_a_retraction_at_once_leave_the_promise_and_its_deadline_agreeing(
        commanded_incident, people, published, at):
    """Whichever commits first, the promise and its deadline tell the same story; the retraction itself never
    fails for it (a kept promise stays kept, an open one goes with its statement)."""
    statement, commitment, keep = _open_and_a_later_statement(commanded_incident(), people, published)
    errors = race(keep, lambda: statement_retract(statement=Statement.objects.get(pk=statement.pk),
                                                  actor=people["commander"], reason="措辞不当"))
    assert all(isinstance(error, ConcurrentUpdate | InvalidTransition) for error in errors), errors
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.RETRACTED
    row = Commitment.objects.select_related("deadline").get(pk=commitment.pk)
    assert row.deadline.state == DEADLINE_FOR[row.state]
    assert len(errors) == (row.state == CommitmentState.WITHDRAWN)  # the keep lost only if the retraction won
