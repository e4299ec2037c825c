"""Admins set each statement kind's approval chain as a whole, with a compare-and-set on its version."""

import pytest

from crisis.approvals.models import ApprovalChain
from crisis.approvals.services.chains import approval_chain_for, approval_chain_set
from crisis.models import AuditEntry, Role
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from tests.factories import OrganizationFactory, member

from .conftest import three_steps

pytestmark = pytest.mark.django_db


def test_it_sets_a_chain_and_audits_it(org, people, signers):
    chain = approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=three_steps(signers),
                               expected_version=0)
    assert [s["name"] for s in chain.steps] == ["Legal", "PR lead", "Executive"]
    assert chain.version == 1
    assert approval_chain_for(organization=org, kind="holding") == chain
    assert approval_chain_for(organization=org, kind="apology") is None
    assert AuditEntry.objects.filter(action="approval_chain.set", organization=org).count() == 1


def test_an_empty_chain_means_one_approval_by_anyone_again(org, people, signers):
    chain = approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=three_steps(signers),
                               expected_version=0)
    chain = approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=[], expected_version=1)
    assert chain.version == 2
    assert approval_chain_for(organization=org, kind="holding") is None


def test_an_edit_that_lost_the_race_changes_nothing(org, people, signers):
    approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=three_steps(signers),
                       expected_version=0)
    approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=three_steps(signers)[:1],
                       expected_version=1)
    with pytest.raises(ConcurrentUpdate) as lost:
        approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=[], expected_version=1)
    assert "version" in lost.value.fields
    assert len(ApprovalChain.objects.get().steps) == 1
    with pytest.raises(ConcurrentUpdate):  # two admins both creating the first chain of a kind
        approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=[], expected_version=0)


def test_only_an_admin_sets_a_chain(org, people, signers):
    with pytest.raises(PermissionDenied):
        approval_chain_set(organization=org, actor=people["commander"], kind="holding",
                           steps=three_steps(signers), expected_version=0)
    assert not ApprovalChain.objects.exists()


@pytest.mark.parametrize("steps, field", [
    ("Legal", "steps"),
    ([{"name": "", "approvers": [1]}], "steps.0.name"),
    ([{"name": "Legal", "approvers": []}], "steps.0.approvers"),
    ([{"name": "Legal", "approvers": ["legal"]}], "steps.0.approvers"),
    ([{"name": "Legal", "approvers": [1], "limit_minutes": 0}], "steps.0.limit_minutes"),
    ([{"name": "Legal", "approvers": [1], "limit_minutes": 2000}], "steps.0.limit_minutes"),
    ([{"name": "Legal", "approvers": [1], "owner": 1}], "steps.0"),
    ([{"name": f"Step {n}", "approvers": [1]} for n in range(9)], "steps"),
])
def test_it_refuses_a_malformed_chain_and_writes_nothing(org, people, steps, field):
    with pytest.raises(InvalidInput) as refused:
        approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=steps, expected_version=0)
    assert field in refused.value.fields
    assert not ApprovalChain.objects.exists() and not AuditEntry.objects.filter(action="approval_chain.set").exists()


def test_it_refuses_people_who_cannot_approve_or_approve_two_steps(org, people, signers):
    stranger = member(OrganizationFactory(), Role.ADMIN)
    cases = [
        ([{"name": "Legal", "approvers": [people["responder"].pk]}], "steps.0.approvers"),
        ([{"name": "Legal", "approvers": [stranger.pk]}], "steps.0.approvers"),
        ([{"name": "Legal", "approvers": [signers["legal"].pk], "deputies": [signers["legal"].pk]}],
         "steps.0.deputies"),
        ([{"name": "Legal", "approvers": [signers["legal"].pk]}, {"name": "PR", "approvers": [signers["legal"].pk]}],
         "steps.1.approvers"),
        ([{"name": "Legal", "approvers": [signers["legal"].pk, signers["legal"].pk]}], "steps.0.approvers"),
    ]
    for steps, field in cases:
        with pytest.raises(InvalidInput) as refused:
            approval_chain_set(organization=org, actor=people["admin"], kind="holding", steps=steps,
                               expected_version=0)
        assert field in refused.value.fields, (steps, refused.value.fields)
    assert not ApprovalChain.objects.exists()


def test_it_refuses_an_unknown_kind(org, people, signers):
    with pytest.raises(InvalidInput) as refused:
        approval_chain_set(organization=org, actor=people["admin"], kind="tweet", steps=[], expected_version=0)
    assert "kind" in refused.value.fields
