"""Signed acknowledge links, the "sent messages" page and the calendar feeds."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from crisis.oncall.calendar import person_feed_path, schedule_feed_path
from crisis.oncall.links import ack_token
from crisis.oncall.models import Page, PageState
from crisis.oncall.services.pages import page_trigger
from tests.factories import member

from .factories import ScheduleFactory, rotation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(commanded_incident, people, at):
    incident = commanded_incident()
    return page_trigger(incident=incident, actor=people["responder"], title="Sign-off", target_user=people["approver"])


def login(client, user):
    # The factory sets the password after saving; log in as the row the session will be checked against.
    client.force_login(type(user).objects.get(pk=user.pk))


def ack_path(page, user):
    return reverse("oncall:ack", kwargs={"token": ack_token(page_id=page.pk, user_id=user.pk)})


def test_it_acknowledges_from_the_link(client, page, people):
    response = client.post(ack_path(page, people["approver"]))
    assert response.status_code == 200
    assert Page.objects.get().acknowledged_by == people["approver"]


def test_it_shows_the_link_in_the_language_the_phone_asks_for(client, page, people):
    body = client.get(ack_path(page, people["approver"]), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "<h1>确认呼叫</h1>" in body
    assert "<h1>Acknowledge page</h1>" in client.get(ack_path(page, people["approver"])).content.decode()


def test_it_does_not_acknowledge_on_a_plain_visit_to_the_link(client, page, people):
    client.get(ack_path(page, people["approver"]))  # what a mail scanner does
    assert Page.objects.get().state == PageState.TRIGGERED


def test_it_refuses_an_expired_link(client, page, people, settings):
    path = ack_path(page, people["approver"])
    with time_machine.travel(timedelta(seconds=settings.GOLDEN_HOURS_ACK_LINK_MAX_AGE + 60)):
        response = client.post(path)
    assert (response.status_code, Page.objects.get().state) == (400, PageState.TRIGGERED)


def test_it_refuses_a_tampered_link(client, page, people):
    token = ack_token(page_id=page.pk, user_id=people["approver"].pk)
    forged = ack_token(page_id=page.pk, user_id=people["admin"].pk).split(":")[0] + ":" + token.split(":", 1)[1]
    response = client.post(reverse("oncall:ack", kwargs={"token": forged}))
    assert (response.status_code, Page.objects.get().state) == (400, PageState.TRIGGERED)


def test_it_answers_conflict_when_the_page_was_already_acknowledged(client, page, people):
    client.post(ack_path(page, people["approver"]))
    response = client.post(ack_path(page, people["commander"]))
    assert response.status_code == 409


def test_it_lists_sent_messages_with_a_bounded_number_of_queries(client, page, people, commanded_incident,
                                                                 django_assert_max_num_queries):
    for n in range(5):
        page_trigger(incident=page.incident, actor=people["responder"], title=f"Extra {n}",
                     target_user=people["commander"])
    login(client, people["responder"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("oncall_desk:sent"))
    assert response.status_code == 200
    assert b"Extra 4" in response.content


def test_it_hides_other_organizations_messages(client, page, people):
    login(client, people["outsider"])
    response = client.get(reverse("oncall_desk:sent"))
    assert response.status_code == 200
    assert b"Sign-off" not in response.content


def test_it_serves_a_schedule_as_icalendar(client, org, people):
    schedule = ScheduleFactory(organization=org)
    rotation_with(schedule, [people["responder"], people["approver"]])
    response = client.get(schedule_feed_path(schedule=schedule, user=people["viewer"]))
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") >= 60  # daily shifts for the next 60 days


def test_it_serves_a_person_only_their_own_shifts(client, org, people):
    from icalendar import Calendar

    schedule = ScheduleFactory(organization=org)
    rotation_with(schedule, [people["responder"], people["approver"]])
    calendar = Calendar.from_ical(client.get(person_feed_path(user=people["approver"])).content)
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries == {f"On call: {people['approver'].username} ({schedule.name})"}


def test_it_refuses_a_schedule_token_for_a_person_feed(client, org, people):
    schedule = ScheduleFactory(organization=org)
    token = schedule_feed_path(schedule=schedule, user=people["viewer"]).rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(reverse("oncall:person-feed", kwargs={"token": token})).status_code == 404


def test_it_sends_a_test_notification_to_my_own_contact(client, org):
    from crisis.oncall.models import Delivery

    from .factories import ContactMethodFactory

    user = member(org)
    contact = ContactMethodFactory(user=user, kind="console", target="")
    login(client, user)
    client.post(reverse("oncall_desk:contact-test", kwargs={"contact_id": contact.pk}))
    assert Delivery.objects.get().contact == contact
