""""Sent messages" reads times where the incident is, with the zone's name: never unlabelled UTC."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from crisis.oncall.models import BreakerState, Delivery, ReceiverBreaker
from crisis.oncall.services.pages import page_trigger

from .factories import ContactMethodFactory

pytestmark = pytest.mark.django_db


def _sent(client_for, user) -> str:
    response = client_for(user).get(reverse("oncall_desk:sent"))
    assert response.status_code == 200
    return response.content.decode()


def _page_to_approver(incident, people):
    ContactMethodFactory(user=people["approver"], kind="console", target="")
    page_trigger(incident=incident, actor=people["responder"], title="Sign-off", target_user=people["approver"])
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(created_at=datetime(2026, 12, 2, 3, 0, 5, tzinfo=UTC))
    return delivery


def test_it_shows_when_a_message_was_sent_in_the_incidents_zone(client_for, people, commanded_incident):
    _page_to_approver(commanded_incident(time_zone="Asia/Shanghai"), people)
    body = _sent(client_for, people["responder"])
    assert ('<time datetime="2026-12-02T03:00:05+00:00" title="2026-12-02 03:00:05 UTC">2026-12-02 11:00:05 '
            '<small class="zone">Asia/Shanghai</small></time>') in body


def test_it_shows_each_incidents_own_zone(client_for, people, commanded_incident, org):
    org.time_zone = "Europe/Berlin"
    org.save()
    _page_to_approver(commanded_incident(time_zone="America/New_York"), people)
    body = _sent(client_for, people["responder"])
    assert '2026-12-01 22:00:05 <small class="zone">America/New_York</small>' in body


def test_it_shows_a_receivers_circuit_times_in_the_organizations_zone(client_for, people, commanded_incident, org):
    org.time_zone = "Asia/Shanghai"
    org.save()
    delivery = _page_to_approver(commanded_incident(), people)
    since = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # past midnight in Shanghai: the date changes too
    ReceiverBreaker.objects.create(contact=delivery.contact, state=BreakerState.OPEN,
                                   failures=5, state_since=since, next_probe_at=since + timedelta(seconds=30),
                                   updated_at=since)
    body = _sent(client_for, people["responder"])
    assert '2026-12-03 00:30:00 <small class="zone">Asia/Shanghai</small>' in body
    assert '2026-12-03 00:30:30 <small class="zone">Asia/Shanghai</small>' in body


def test_it_says_which_zone_the_times_are_in(client_for, people):
    assert "Times are in the incident's time zone" in _sent(client_for, people["responder"])
