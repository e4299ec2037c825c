"""An open promise warns its owner before it is due and pages them when it slips."""

from datetime import timedelta

import pytest

from crisis.commitments.services.changes import commitment_confirm
from crisis.oncall.models import Page, PageSource
from crisis.oncall.warnings import deadline_warnings_page
from tests.oncall.helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db


def test_slipping_pages_the_owner_after_warning_them(commanded_incident, policy, people, published, at):
    incident = commanded_incident()
    at(12)
    statement, (suggestion,) = published(incident, "We will publish the test results within 2 hours.", at=10)
    commitment = commitment_confirm(commitment=suggestion, actor=people["responder"], owner_id=people["approver"].pk,
                                    warn_before_minutes=30)
    assert commitment.deadline.due_at == commitment.statement.published_at + timedelta(hours=2)
    deadline_warnings_page(now=at(100))
    (warning,) = Page.objects.filter(deadline=commitment.deadline, source=PageSource.WARNING)
    assert recipients(warning) == [people["approver"].username]
    sweep_and_dispatch(at(131))
    page = Page.objects.get(deadline=commitment.deadline, source=PageSource.BREACH)
    assert recipients(page) == [people["approver"].username]
    sweep_and_dispatch(at(137))
    assert recipients(page, step=1) == [people["commander"].username]
