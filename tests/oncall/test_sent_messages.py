"""The receivers' circuit breakers on the "Sent messages" page (in both languages) and in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from crisis.oncall.models import BreakerState, Delivery, ReceiverBreaker
from crisis.oncall.services.pages import page_trigger
from tests.factories import UserFactory

from .factories import ContactMethodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_breaker(commanded_incident, people, at):
    """The approver's webhook was paged, failed five times in a row, and its circuit is open."""
    contact = ContactMethodFactory(user=people["approver"], label="Phone bridge")
    page_trigger(incident=commanded_incident(), actor=people["responder"], title="Sign-off",
                 target_user=people["approver"])
    now = at(10)
    return ReceiverBreaker.objects.create(contact=contact, state=BreakerState.OPEN, failures=5, state_since=now,
                                          next_probe_at=now + timedelta(seconds=30), updated_at=now,
                                          last_error="The webhook did not answer within 5.0 s.")


def sent_page(client_for, user, language: str = "en") -> str:
    with translation.override(language):
        path = reverse("oncall_desk:sent")
    response = client_for(user).get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_an_open_circuit_with_its_failures_and_next_probe(client_for, open_breaker, people):
    body = sent_page(client_for, people["responder"])
    row = body[body.index('<tr data-breaker-state="open">'):]
    row = row[:row.index("</tr>")]
    assert "Open: not sending" in row
    assert "<td>5</td>" in row
    assert open_breaker.next_probe_at.strftime("%Y-%m-%d %H:%M:%S") in row
    assert "did not answer within 5.0 s" in row


def test_it_marks_the_delivery_whose_receiver_is_open(client_for, open_breaker, people):
    body = sent_page(client_for, people["responder"])
    assert '<small data-breaker-state="open">Circuit: Open: not sending</small>' in body


def test_it_shows_a_half_open_circuit_as_probing(client_for, open_breaker, people, at):
    ReceiverBreaker.objects.filter(pk=open_breaker.pk).update(state=BreakerState.HALF_OPEN,
                                                              probe_until=at(11) + timedelta(minutes=1))
    body = sent_page(client_for, people["responder"])
    assert '<tr data-breaker-state="half_open">' in body and "running now" in body


def test_it_shows_the_circuit_on_the_chinese_page(client_for, open_breaker, people):
    body = sent_page(client_for, people["responder"], language="zh-hans")
    assert 'lang="zh-hans"' in body and "已发送消息" in body
    assert '<tr data-breaker-state="open">' in body


def test_it_hides_the_receivers_of_other_organizations(client_for, open_breaker, people):
    body = sent_page(client_for, people["outsider"])
    assert "data-breaker-state" not in body


def test_it_lists_circuits_with_a_bounded_number_of_queries(client_for, open_breaker, people, at,
                                                            django_assert_max_num_queries):
    incident = Delivery.objects.first().page.incident
    for n in range(5):
        contact = ContactMethodFactory(user=people["commander"], label=f"Hook {n}")
        ReceiverBreaker.objects.create(contact=contact, failures=n, state_since=at(10), updated_at=at(10))
        page_trigger(incident=incident, actor=people["responder"], title=f"Extra {n}", target_user=people["commander"])
    client = client_for(people["responder"])
    with django_assert_max_num_queries(13):  # the page's 12 without breakers, and one for all of them
        response = client.get(reverse("oncall_desk:sent"))
    assert response.content.decode().count("data-breaker-state=") == 7  # six receivers, one delivery marked


def test_it_lists_breakers_in_the_admin(client_for, open_breaker):
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(admin).get(reverse("admin:crisis_oncall_receiverbreaker_changelist"))
    assert response.status_code == 200
    assert "Open: not sending" in response.content.decode()


def test_it_shows_the_breaker_on_the_contact_method_in_the_admin(client_for, open_breaker):
    admin = UserFactory(is_staff=True, is_superuser=True)
    path = reverse("admin:crisis_oncall_contactmethod_change", args=[open_breaker.contact_id])
    body = client_for(admin).get(path).content.decode()
    assert "receiver circuit breaker" in body.lower() and "Open: not sending" in body
