"""A step that waits too long pages its approver, then the deputy, then the commander; approving it stops that."""

import pytest

from crisis.models import DeadlineKind
from crisis.oncall.models import Page, PageSource, PageState
from crisis.services.statements import statement_approve, statement_revise
from tests.oncall.helpers import recipients, sweep_and_dispatch

from .conftest import HOLDING

pytestmark = pytest.mark.django_db


def approval_pages():
    return Page.objects.filter(deadline__kind=DeadlineKind.APPROVAL, source=PageSource.BREACH).order_by("id")


def approval_page():
    return approval_pages().get()


def test_a_step_that_times_out_pages_the_approver_then_the_deputy_then_the_commander(
        incident, holding_chain, submitted, signers, people, at):
    holding_chain()
    submitted(incident)  # at T0+5: legal has until T0+20
    sweep_and_dispatch(at(19))
    assert not approval_pages().exists()
    sweep_and_dispatch(at(21))
    page = approval_page()
    assert recipients(page) == ["legal"]
    assert "Legal" in page.title
    sweep_and_dispatch(at(26))
    assert recipients(page, step=1) == ["legal_deputy"]
    sweep_and_dispatch(at(31))
    assert recipients(page, step=2) == [people["commander"].username]


def test_approving_a_paged_step_resolves_the_page_and_starts_the_next_step_s_clock(
        incident, holding_chain, submitted, signers, at):
    holding_chain()
    statement = submitted(incident)
    sweep_and_dispatch(at(21))
    at(23)
    statement_approve(statement=statement, actor=signers["legal_deputy"])
    assert approval_page().state == PageState.RESOLVED
    sweep_and_dispatch(at(37))
    assert approval_pages().count() == 1  # the PR lead has until T0+38
    sweep_and_dispatch(at(39))
    assert recipients(approval_pages().last()) == ["pr_lead"]


def test_a_revised_statement_stops_paging_for_its_old_words(incident, holding_chain, submitted, people, at):
    holding_chain()
    statement = submitted(incident)
    at(10)
    statement_revise(statement=statement, actor=people["responder"], body=HOLDING + "（更新）")
    sweep_and_dispatch(at(40))
    assert not approval_pages().exists()


def test_a_sev1_step_pages_after_five_minutes(incident_at_t0, people, holding_chain, submitted, at):
    holding_chain()
    submitted(incident_at_t0(severity=1, commander=people["commander"]))
    sweep_and_dispatch(at(9))
    assert not approval_pages().exists()
    sweep_and_dispatch(at(11))
    assert recipients(approval_page()) == ["legal"]


def test_a_statement_submitted_late_pages_the_approver_at_once(incident, holding_chain, submitted, at):
    from datetime import timedelta

    from tests.deadline_helpers import T0

    holding_chain()
    at(60)
    submitted(incident, submitted_at=T0 + timedelta(minutes=10))
    sweep_and_dispatch(at(60))
    assert recipients(approval_page()) == ["legal"]
