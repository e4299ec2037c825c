import pytest
from django.urls import reverse

from crisis import clock
from crisis.oncall.demo import oncall_demo_setup
from crisis.oncall.models import Page
from crisis.oncall.services.pages import page_trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def paged_incident(open_incident, org, people):
    incident = open_incident()
    users = {"responder": people["responder"], "approver2": people["approver"], "commander": people["commander"]}
    oncall_demo_setup(organization=org, users=users, now=clock.now())
    page_trigger(incident=incident, actor=people["commander"], title="Legal approver needed now")
    return incident


def test_it_shows_who_is_on_call_and_the_pages_sent(client_for, people, paged_incident):
    response = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[paged_incident.pk]))
    body = response.content.decode()
    assert "Crisis desk on call" in body
    assert "Legal approver needed now" in body
    assert "Acknowledge</button>" not in body  # a viewer follows, does not act


def test_it_acknowledges_a_page_from_the_room_and_comes_back(client_for, people, paged_incident):
    room = reverse("crisis:incident-room", args=[paged_incident.pk])
    page = Page.objects.get(incident=paged_incident)
    response = client_for(people["responder"]).post(
        reverse("oncall_desk:page-acknowledge", args=[page.pk]), {"next": room})
    page.refresh_from_db()
    assert (response.status_code, response["Location"], page.state) == (302, room, "acknowledged")


def test_it_does_not_follow_a_next_link_to_another_site(client_for, people, paged_incident):
    page = Page.objects.get(incident=paged_incident)
    response = client_for(people["responder"]).post(
        reverse("oncall_desk:page-acknowledge", args=[page.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("oncall_desk:sent")
