"""Real concurrency on PostgreSQL: two people approving the same step at once; exactly one wins."""

import pytest
from django.conf import settings as django_settings

from crisis.approvals.models import StatementReview
from crisis.approvals.services.chains import approval_chain_set
from crisis.models import Statement, StatementApproval
from crisis.services.statements import statement_approve
from tests.oncall.test_races import race  # two threads released together; returns the lost races

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


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


def test_an_approval_and_a_revision_at_once_leave_a_consistent_chain(incident, org, people, signers, submitted,
                                                                      holding_chain):
    from crisis.approvals.models import ReviewState
    from crisis.services.statements import statement_revise

    holding_chain()
    statement = submitted(incident)
    first, second = Statement.objects.get(pk=statement.pk), Statement.objects.get(pk=statement.pk)
    errors = race(lambda: statement_approve(statement=first, actor=signers["legal"]),
                  lambda: statement_revise(statement=second, actor=people["responder"], body="新的措辞。"))
    assert len(errors) == 1
    review = StatementReview.objects.get(statement=statement)
    fresh = Statement.objects.get(pk=statement.pk)
    if fresh.status == "draft":  # the revision won: the chain under way was stopped, with no signature on it
        assert review.state == ReviewState.CANCELLED and not review.steps.exclude(approved_by=None).exists()
    else:
        assert (review.state, review.current_position) == (ReviewState.ACTIVE, 2)


def test_two_admins_saving_a_chain_at_once_cannot_both_win(org, people, signers):
    from crisis.approvals.models import ApprovalChain
    from crisis.models import Role
    from tests.factories import member

    other_admin = member(org, Role.ADMIN)
    steps = [{"name": "Legal", "approvers": [signers["legal"].pk]}]
    errors = race(
        lambda: approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=steps,
                                   expected_version=0),
        lambda: approval_chain_set(organization=org, actor=other_admin, kind="holding", steps=steps,
                                   expected_version=0))
    assert len(errors) == 1 and errors[0].code == "conflict"
    assert ApprovalChain.objects.get().version == 1
