"""Pages before a deadline slips; the demo's on-call set-up."""

import pytest

from crisis.oncall.models import Page, PageSource
from crisis.oncall.warnings import deadline_warnings_page

from .helpers import recipients

pytestmark = pytest.mark.django_db


def test_it_warns_at_the_steps_lead_time(commanded_incident, policy, people, at):
    commanded_incident()  # acknowledge is due at T0+15 and warns 5 minutes ahead
    assert deadline_warnings_page(now=at(10)) == 1
    page = Page.objects.get(source=PageSource.WARNING)
    assert (page.title, recipients(page)) == ("Due in 5 min: Acknowledge and assemble the response team",
                                              [people["responder"].username])


def test_it_does_not_warn_before_the_lead_time(commanded_incident, policy, at):
    commanded_incident()
    assert deadline_warnings_page(now=at(9.9)) == 0


def test_it_warns_once_however_often_it_sweeps(commanded_incident, policy, at):
    commanded_incident()
    deadline_warnings_page(now=at(10))
    deadline_warnings_page(now=at(11))
    assert Page.objects.filter(source=PageSource.WARNING).count() == 1


def test_it_sets_up_the_demo_so_a_breach_pages_the_responder_then_the_commander(at):
    from crisis.demo.seed import demo_seed
    from crisis.oncall.models import EscalationPolicy
    from crisis.oncall.selectors import oncall_user_at

    now = at(0)
    demo_seed(now=now)
    policy = EscalationPolicy.objects.get(organization__slug="lumen-demo")
    first, second = policy.levels.order_by("position")
    assert oncall_user_at(schedule=first.schedule, moment=now).username == "demo-responder"
    assert (second.incident_role, second.wait_seconds) == ("commander", 300)
