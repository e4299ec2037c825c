"""The golden-hours clock and the dashboard's urgency: deadlines met, pending and breached."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crisis.models import Deadline
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.timers.sweeper import deadlines_breach_due

pytestmark = pytest.mark.django_db


def _deadline(incident, step):
    return Deadline.objects.get(incident=incident, step_key=step, occurrence=0)


def test_it_draws_a_bar_per_deadline_with_its_state(client_for, people, incident):
    content = client_for(people["viewer"]).get(reverse("crisis:incident-clock", args=[incident.pk])).content.decode()
    assert content.count('class="deadline state-pending"') == Deadline.objects.filter(incident=incident,
                                                                                       state="pending").count()
    assert "since the first public signal" in content
    assert f'data-since="{incident.first_public_signal_at.isoformat()}"' in content


def test_it_shows_a_breach_after_the_clock_passes_a_deadline(client_for, people, incident):
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        deadlines_breach_due(now=timezone.now())
        content = client_for(people["viewer"]).get(
            reverse("crisis:incident-clock", args=[incident.pk])).content.decode()
    assert 'data-step="acknowledge" data-state="breached"' in content
    assert "0 breached" not in content


def test_it_extends_a_deadline_for_a_commander(client_for, people, incident):
    deadline = _deadline(incident, "holding-statement")
    due = deadline.due_at
    response = client_for(people["commander"]).post(
        reverse("crisis:deadline-action", args=[deadline.pk, "extend"]),
        {"minutes": 15, "reason": "legal review", "version": deadline.version})
    deadline.refresh_from_db()
    assert response.status_code == 302
    assert deadline.due_at == due + timedelta(minutes=15)


def test_it_waives_a_deadline_with_a_reason(client_for, people, incident):
    deadline = _deadline(incident, "stakeholder-briefing")
    client_for(people["commander"]).post(reverse("crisis:deadline-action", args=[deadline.pk, "waive"]),
                                         {"reason": "no partners affected", "version": deadline.version})
    deadline.refresh_from_db()
    assert (deadline.state, deadline.waive_reason) == ("waived", "no partners affected")


def test_it_refuses_to_act_on_a_deadline_that_moved_since_the_page_loaded(client_for, people, incident):
    deadline = _deadline(incident, "holding-statement")
    response = client_for(people["commander"]).post(
        reverse("crisis:deadline-action", args=[deadline.pk, "waive"]),
        {"reason": "x", "version": deadline.version - 1})
    assert response.status_code == 409
    assert "reload and try again" in response.content.decode()


def test_it_refuses_a_responder_extending_a_deadline(client_for, people, incident):
    deadline = _deadline(incident, "holding-statement")
    response = client_for(people["responder"]).post(
        reverse("crisis:deadline-action", args=[deadline.pk, "extend"]),
        {"minutes": 60, "reason": "x", "version": deadline.version})
    assert response.status_code == 403


def test_it_orders_the_dashboard_by_severity_then_breaches_then_next_deadline(client_for, people, open_incident):
    calm = open_incident(title="Calm SEV3", severity=3)
    late = open_incident(title="Late SEV2", severity=2, first_public_signal_at=timezone.now() - timedelta(minutes=40))
    fresh = open_incident(title="Fresh SEV2", severity=2, first_public_signal_at=timezone.now() - timedelta(minutes=1))
    critical = open_incident(title="Critical SEV1", severity=1)
    deadlines_breach_due(now=timezone.now())
    content = client_for(people["viewer"]).get(reverse("crisis:home")).content.decode()
    positions = [content.index(i.title) for i in (critical, late, fresh, calm)]
    assert positions == sorted(positions)


def test_it_shows_the_next_deadline_countdown_breached_count_and_trend(client_for, people, open_incident):
    incident = open_incident(first_public_signal_at=timezone.now() - timedelta(minutes=40))
    deadlines_breach_due(now=timezone.now())
    for minutes, share in ((30, 0.5), (20, 0.6), (10, 0.72)):
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Weibo",
                                    measured_at=timezone.now() - timedelta(minutes=minutes), negative_share=share)
    content = client_for(people["viewer"]).get(reverse("crisis:home")).content.decode()
    next_due = Deadline.objects.filter(incident=incident, state="pending").order_by("due_at").first().due_at
    breached = Deadline.objects.filter(incident=incident, state="breached").count()
    assert breached >= 1
    assert f'data-due="{next_due.isoformat()}"' in content
    assert f'<span class="badge state-breached">{breached}</span>' in content
    assert "72%" in content
    assert '<polyline class="sparkline"' in content


@pytest.mark.parametrize(("prefix", "minutes"), [("", "%(n)d min"), ("/zh-hans", "%(n)d 分钟")])
def test_it_gives_the_dashboard_countdown_its_units_in_the_readers_language(client_for, people, open_incident,
                                                                             prefix, minutes):
    """"Next deadline: in 0:26" read as hours or minutes; the countdown now says "in 26 min 10 s"."""
    open_incident()
    page = client_for(people["viewer"]).get(f"{prefix}/").content.decode()

    assert f'data-unit-min="{minutes}"' in page
