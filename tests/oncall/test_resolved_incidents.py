"""Nobody is paged about an incident that is over: not by a new page, not by an escalation, not by hand.

(The races, where the resolve commits while a dispatch is under way, are in test_resolve_races.py.)
"""

import pytest

from crisis.models import Breach, DeadlineKind, DeadlineState, Incident
from crisis.oncall.models import Page, PageSource, PageState
from crisis.oncall.services.opening import PageSpec, pages_open
from crisis.oncall.services.pages import page_trigger
from crisis.services.errors import InvalidTransition

from .helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db


def resolved_behind_our_back(incident: Incident) -> None:
    """Resolved without the clean-up that resolves its pages: what the lost race used to leave behind."""
    Incident.objects.filter(pk=incident.pk).update(status="resolved")


def test_it_pages_nobody_when_an_escalation_fires_for_a_page_whose_incident_was_resolved(
        commanded_incident, policy, people, at):
    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    resolved_behind_our_back(incident)

    sweep_and_dispatch(at(21))  # the level-one wait is over: the escalation deadline breaches

    page.refresh_from_db()
    assert (page.state, page.step) == (PageState.TRIGGERED, 0)
    assert recipients(page, step=1) == []
    assert not incident.deadlines.filter(kind=DeadlineKind.ESCALATION, state=DeadlineState.PENDING).exists()
    assert Breach.objects.filter(deadline__kind=DeadlineKind.ESCALATION).get().dispatched_at is not None


def test_it_opens_no_page_for_an_incident_that_is_no_longer_open(commanded_incident, org):
    incident = commanded_incident()
    resolved_behind_our_back(incident)
    spec = PageSpec(organization=org, incident=incident, source=PageSource.BREACH, dedup_key="deadline:1:v1",
                    title="Missed: holding statement")
    assert pages_open(specs=[spec]) == [(None, False)]
    assert not Page.objects.exists()


def test_it_still_opens_the_pages_of_open_incidents_in_the_same_batch(commanded_incident, org):
    over, still_open = commanded_incident(title="Over"), commanded_incident(title="Still open")
    resolved_behind_our_back(over)
    specs = [PageSpec(organization=org, incident=incident, source=PageSource.BREACH, dedup_key=f"deadline:{n}:v1",
                      title="Missed") for n, incident in enumerate([over, still_open])]
    [(none, created_none), (page, created)] = pages_open(specs=specs)
    assert (none, created_none) == (None, False)
    assert created and page.incident == still_open


def test_it_refuses_to_page_by_hand_about_a_resolved_incident(commanded_incident, people):
    incident = commanded_incident()
    resolved_behind_our_back(incident)
    with pytest.raises(InvalidTransition):
        page_trigger(incident=incident, actor=people["responder"], title="Legal sign-off needed now")
    assert not Page.objects.exists()
