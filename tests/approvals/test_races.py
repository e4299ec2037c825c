"""Real concurrency on PostgreSQL: two people approving the same step at once; exactly one wins."""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection

from crisis.approvals.models import StatementReview
from crisis.approvals.services.chains import approval_chain_set
from crisis.models import Statement, StatementApproval
from crisis.services.errors import DomainError
from crisis.services.statements import statement_approve

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


def race(*actions) -> list[DomainError]:
    barrier = threading.Barrier(len(actions))
    errors: list[DomainError] = []
    unexpected: list[Exception] = []

    def run(action):
        try:
            barrier.wait(10)
            action()
        except DomainError as exc:
            errors.append(exc)
        except Exception as exc:  # a deadlock or an integrity error is a defect, not a lost race
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not unexpected, f"a racing approval failed instead of winning or losing cleanly: {unexpected!r}"
    return errors


def test_it_lets_exactly_one_of_two_simultaneous_approvals_of_a_step_win(incident, org, people, signers,
                                                                           submitted):
    approval_chain_set(organization=org, actor=people["admin"], kind="holding", expected_version=0, steps=[
        {"name": "Legal", "approvers": [signers["legal"].pk], "deputies": [signers["legal_deputy"].pk]},
        {"name": "PR lead", "approvers": [signers["pr_lead"].pk]},
    ])
    statement = submitted(incident)
    first, second = Statement.objects.get(pk=statement.pk), Statement.objects.get(pk=statement.pk)
    errors = race(lambda: statement_approve(statement=first, actor=signers["legal"]),
                  lambda: statement_approve(statement=second, actor=signers["legal_deputy"]))
    assert len(errors) == 1 and errors[0].code == "conflict"
    review = StatementReview.objects.get(statement=statement)
    assert review.current_position == 2
    (signed,) = review.steps.exclude(approved_by=None)
    assert signed.approved_by in (signers["legal"], signers["legal_deputy"])
    assert StatementApproval.objects.filter(version=statement.current_version).count() == 1
    assert Statement.objects.get(pk=statement.pk).version == statement.version + 1
