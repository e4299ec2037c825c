"""Real concurrency on PostgreSQL: an acknowledgement and an escalation level committing at once."""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection

from crisis.models import Breach, DeadlineKind, EventKind
from crisis.oncall.models import Page, PageState
from crisis.oncall.services.pages import page_acknowledge
from crisis.services.errors import DomainError
from crisis.timers import tasks
from crisis.timers.sweeper import deadlines_breach_due

from .helpers import recipients, sweep_and_dispatch

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


def race(*actions):
    barrier = threading.Barrier(len(actions))
    errors = []
    unexpected: list[Exception] = []

    def run(action):
        try:
            barrier.wait(10)
            action()
        except DomainError as exc:
            errors.append(exc)
        except Exception as exc:  # a deadlock or any database error is a defect, not a lost race
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not unexpected, f"a racing transaction failed instead of winning or losing cleanly: {unexpected!r}"
    return errors


def test_it_pages_the_next_level_only_if_the_escalation_committed_before_the_acknowledgement(
        commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    deadlines_breach_due(now=at(21))
    page = Page.objects.get()
    escalation = Breach.objects.get(deadline__kind=DeadlineKind.ESCALATION)
    race(lambda: page_acknowledge(page=page, actor=people["responder"]),
         lambda: tasks.breach_dispatch(escalation.pk))
    page = Page.objects.get()
    events = list(page.incident.events.filter(kind=EventKind.PAGE).order_by("id").values_list("body", flat=True))
    acknowledged_at = next(i for i, body in enumerate(events) if body.startswith("Page acknowledged"))
    escalated = recipients(page, step=1) == [people["commander"].username]
    assert page.state == PageState.ACKNOWLEDGED
    assert escalated == any(b.startswith("Paged") for b in events[:acknowledged_at][2:])


def test_it_lets_exactly_one_of_two_simultaneous_acknowledgements_win(commanded_incident, policy, people, at):
    commanded_incident()
    sweep_and_dispatch(at(16))
    page = Page.objects.get()
    errors = race(lambda: page_acknowledge(page=page, actor=people["responder"]),
                  lambda: page_acknowledge(page=page, actor=people["commander"]))
    assert len(errors) == 1
    assert Page.objects.get().acknowledged_by in (people["responder"], people["commander"])
