"""Breach -> page -> escalation -> acknowledgement, through the engine's own deadlines."""

import pytest

from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, EventKind
from crisis.oncall.models import Page, PageSource, PageState
from crisis.oncall.services.pages import page_acknowledge, page_escalate, page_resolve, page_trigger
from crisis.services.errors import InvalidTransition
from crisis.timers import tasks
from crisis.timers.sweeper import deadlines_breach_due

from .helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db


def test_it_pages_whoever_is_on_call_when_a_playbook_deadline_is_breached(commanded_incident, policy, people, at):
    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get(incident=incident)
    assert (page.source, page.state, page.step) == (PageSource.BREACH, PageState.TRIGGERED, 0)
    assert recipients(page) == [people["responder"].username]


def test_it_opens_one_page_when_the_same_breach_is_dispatched_twice(commanded_incident, policy, at):
    commanded_incident()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()
    assert tasks.breach_dispatch(breach.pk) is True
    assert tasks.breach_dispatch(breach.pk) is False
    assert Page.objects.count() == 1


def test_it_keys_the_page_by_deadline_and_version(commanded_incident, policy, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    breach = Breach.objects.get()
    assert Page.objects.get().dedup_key == f"deadline:{breach.deadline_id}:v{breach.deadline_version}"


def test_it_makes_the_escalation_step_an_engine_deadline(commanded_incident, policy, at):
    incident = commanded_incident()
    now = at(16)
    sweep_and_dispatch(now)
    page = Page.objects.get()
    deadline = Deadline.objects.get(incident=incident, kind=DeadlineKind.ESCALATION)
    assert deadline.state == DeadlineState.PENDING
    assert {k: deadline.subject[k] for k in ("page_id", "step")} == {"page_id": page.pk, "step": 0}
    # Its name as a system line, so that the breach line naming this timer reads in the reader's language.
    assert deadline.subject["name_line"]["key"] == "deadline.escalate_page"
    assert (deadline.due_at - now).total_seconds() == 300


def test_it_escalates_to_the_commander_when_nobody_acknowledges_in_time(commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    sweep_and_dispatch(at(21))
    page = Page.objects.get()
    assert page.step == 1
    assert recipients(page, step=1) == [people["commander"].username]


def test_it_does_not_escalate_before_the_wait_is_over(commanded_incident, policy, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    sweep_and_dispatch(at(20.9))
    assert Page.objects.get().step == 0


def test_it_repeats_the_policy_the_configured_number_of_times(commanded_incident, policy, people, at):
    policy.repeat = 1
    policy.save(update_fields=["repeat"])
    commanded_incident()
    for minute in (16, 21, 26, 31, 36):
        sweep_and_dispatch(at(minute))
    page = Page.objects.get(deadline__step_key="acknowledge")
    assert page.step == 3  # on call, commander, on call again, commander again; then it stays open
    assert recipients(page, step=2) == [people["responder"].username]


def test_it_stops_escalating_once_acknowledged(commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    page_acknowledge(page=Page.objects.get(), actor=people["responder"])
    sweep_and_dispatch(at(29))
    page = Page.objects.get()
    assert (page.state, page.step) == (PageState.ACKNOWLEDGED, 0)
    assert Deadline.objects.get(kind=DeadlineKind.ESCALATION).state == DeadlineState.CANCELLED


def test_it_does_not_page_again_when_the_acknowledgement_beats_an_escalation_already_breached(
        commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    deadlines_breach_due(now=at(21))  # the escalation timer fired: its breach is in the outbox...
    page_acknowledge(page=Page.objects.get(), actor=people["responder"])  # ...and the ack commits first
    escalation = Breach.objects.get(deadline__kind=DeadlineKind.ESCALATION)
    tasks.breach_dispatch(escalation.pk)
    assert recipients(Page.objects.get(), step=1) == []


def test_it_loses_the_escalation_race_when_another_path_moved_the_page_first(commanded_incident, policy, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    stale = Page.objects.get(pk=page.pk)
    assert page_escalate(page=page, from_step=0) is True
    assert page_escalate(page=stale, from_step=0) is False
    assert Page.objects.get().step == 1


def test_it_refuses_a_second_acknowledgement_and_keeps_the_first_acknowledger(commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    stale = Page.objects.get(pk=page.pk)
    page_acknowledge(page=page, actor=people["responder"])
    with pytest.raises(InvalidTransition):
        page_acknowledge(page=stale, actor=people["commander"])
    assert Page.objects.get().acknowledged_by == people["responder"]


def test_it_resolves_an_acknowledged_page(commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    page = page_acknowledge(page=Page.objects.get(), actor=people["responder"])
    page_resolve(page=page, actor=people["responder"])
    assert Page.objects.get().state == PageState.RESOLVED


def test_it_refuses_to_resolve_a_page_twice(commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    stale = Page.objects.get(pk=page.pk)
    page_resolve(page=page, actor=people["responder"])
    with pytest.raises(InvalidTransition):
        page_resolve(page=stale, actor=people["commander"])


def test_it_writes_the_page_on_the_incident_timeline(commanded_incident, policy, people, at):
    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    page_acknowledge(page=Page.objects.get(), actor=people["responder"])
    bodies = list(incident.events.filter(kind=EventKind.PAGE).values_list("body", flat=True))
    assert len(bodies) == 3  # opened, paged the responder, acknowledged
    assert bodies[-1].startswith("Page acknowledged by")


def test_it_pages_the_commander_when_the_organization_has_no_policy(commanded_incident, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    assert recipients(Page.objects.get()) == [people["commander"].username]


def test_it_skips_a_level_with_nobody_to_page(incident_at_t0, policy, people, at):
    from crisis.oncall.models import Schedule

    Schedule.objects.get().rotations.all().delete()  # nobody on call...
    incident_at_t0(commander=people["commander"])
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    assert (page.step, recipients(page)) == (1, [people["commander"].username])  # ...so straight to the commander


def test_it_does_not_page_for_a_breach_of_a_resolved_incident(commanded_incident, policy, people, at):
    from crisis.services.incidents import incident_transition

    incident = commanded_incident()
    deadlines_breach_due(now=at(16))
    incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
    tasks.breach_dispatch(Breach.objects.get().pk)
    assert not Page.objects.exists()


def test_it_pages_a_chosen_person_by_hand(commanded_incident, policy, people, at):
    incident = commanded_incident()
    page = page_trigger(incident=incident, actor=people["responder"], title="Legal sign-off needed now",
                        target_user=people["approver"])
    assert (page.source, recipients(page)) == (PageSource.MANUAL, [people["approver"].username])


def test_it_pages_when_a_surge_deadline_is_breached(commanded_incident, policy, org, at):
    from datetime import timedelta

    from crisis.playbooks.rolling import deadlines_create

    incident = commanded_incident()
    now = at(6)
    deadlines_create(deadlines=[Deadline(incident=incident, kind=DeadlineKind.SURGE, step_key="surge",
                                         name="Respond to the sentiment surge",
                                         due_at=now + timedelta(seconds=org.surge_response_seconds))])
    sweep_and_dispatch(at(6 + org.surge_response_seconds / 60))
    assert Page.objects.filter(source=PageSource.SURGE).count() == 1


def test_it_does_not_let_an_escalation_deadline_be_met_by_playbook_actions(commanded_incident, policy, people, at):
    from tests.playbooks.test_satisfaction import publish

    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    publish(incident, people)
    assert Deadline.objects.get(kind=DeadlineKind.ESCALATION).state == DeadlineState.PENDING


def test_it_resolves_the_page_of_a_missed_step_once_it_is_done_late(commanded_incident, policy, people, at):
    from crisis.services.incidents import incident_acknowledge

    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    incident_acknowledge(incident=incident, actor=people["commander"])
    page = Page.objects.get(incident=incident)
    assert page.state == PageState.RESOLVED
    assert Deadline.objects.get(kind=DeadlineKind.ESCALATION).state == DeadlineState.CANCELLED


def test_it_pages_as_soon_as_sentiment_surges(commanded_incident, policy, people, at):
    from datetime import timedelta

    from crisis.services.sentiment import sentiment_checkpoint_record
    from tests.deadline_helpers import T0

    incident = commanded_incident(severity=3)
    at(20)
    for minute, share in ((19, 0.4), (20, 0.75)):
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Weibo",
                                    measured_at=T0 + timedelta(minutes=minute), negative_share=share)
    page = Page.objects.get(source=PageSource.SURGE)
    surge = Deadline.objects.get(incident=incident, kind=DeadlineKind.SURGE)
    assert page.dedup_key == f"surge:{incident.pk}:{surge.occurrence}"
    assert "negative share 75%" in page.body
    assert recipients(page) == [people["responder"].username]


def test_it_stops_paging_about_an_incident_once_it_is_resolved(commanded_incident, policy, people, at):
    from crisis.services.incidents import incident_transition

    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
    page = Page.objects.get()
    assert (page.state, Deadline.objects.get(kind=DeadlineKind.ESCALATION).state) == (
        PageState.RESOLVED, DeadlineState.CANCELLED)
    sweep_and_dispatch(at(30))
    assert recipients(Page.objects.get(), step=1) == []


def test_it_resolves_the_incident_even_when_someone_resolves_its_page_at_the_same_moment(
        commanded_incident, policy, people, at, monkeypatch):
    from crisis.oncall.services import pages
    from crisis.services.incidents import incident_transition

    incident = commanded_incident()
    sweep_and_dispatch(at(16))
    real_resolve = pages.page_resolve

    def colleague_first(*, page, actor, note=""):
        real_resolve(page=Page.objects.get(pk=page.pk), actor=people["responder"], note="Handled")  # wins the race
        return real_resolve(page=page, actor=actor, note=note)  # ours loses: InvalidTransition

    monkeypatch.setattr(pages, "page_resolve", colleague_first)
    incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
    incident.refresh_from_db()
    page = Page.objects.get()
    assert (incident.status, page.state) == ("resolved", PageState.RESOLVED)
    assert incident.events.filter(kind=EventKind.PAGE, body__startswith="Page resolved").count() == 1
