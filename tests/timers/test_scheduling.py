"""What a new deadline tells the engine: always a wake-up; a Celery ETA timer only if the horizon asks for one."""

from datetime import timedelta

import pytest
from django.db import transaction

from crisis import clock
from crisis.models import Deadline
from crisis.timers import tasks
from crisis.timers.scheduling import deadlines_schedule
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch, settings):
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    calls: list[tuple] = []
    monkeypatch.setattr(tasks.deadline_due, "apply_async", lambda args, **options: calls.append((args, options)))
    return calls


def create_due_in(seconds: float) -> Deadline:
    with transaction.atomic():
        [deadline] = Deadline.objects.bulk_create([Deadline(
            incident=IncidentFactory(), step_key="holding", name="Holding statement",
            due_at=clock.now() + timedelta(seconds=seconds))])
        deadlines_schedule(deadlines=[deadline])
    return deadline


def test_it_sends_no_timer_by_default_the_engine_alone_breaches(sent, settings):
    assert settings.GOLDEN_HOURS_ETA_HORIZON == 0
    deadline = create_due_in(30)
    assert sent == []
    deadline.refresh_from_db()
    assert deadline.eta_version is None


def test_it_sends_a_timer_for_a_deadline_inside_the_horizon_when_one_is_set(sent, settings):
    settings.GOLDEN_HOURS_ETA_HORIZON = 900
    deadline = create_due_in(30)
    assert [args for args, _options in sent] == [(deadline.pk, 1)]
    assert sent[0][1]["eta"] == deadline.due_at
