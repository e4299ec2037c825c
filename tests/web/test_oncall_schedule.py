import pytest
from django.urls import reverse

from crisis import clock
from crisis.oncall.demo import oncall_demo_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(org, people):
    users = {"responder": people["responder"], "approver2": people["approver"], "commander": people["commander"]}
    oncall_demo_setup(organization=org, users=users, now=clock.now())


def test_it_shows_who_is_on_call_now_and_the_next_shifts(client_for, people, schedule):
    body = client_for(people["viewer"]).get(reverse("crisis:oncall-schedule")).content.decode()
    responder = people["responder"].get_username()
    assert "Crisis desk on call" in body
    assert f"<strong>{responder}</strong>" in body
    # This week's shift and the next one's, in the two-week preview.
    preview = body[body.index('class="oncall-preview"'):]
    assert responder in preview and people["approver"].get_username() in preview


def test_it_links_calendar_feeds_that_answer_icalendar(client_for, people, schedule):
    client = client_for(people["viewer"])
    page = client.get(reverse("crisis:oncall-schedule"))
    feed = page.context["schedules"][0]["feed"]
    assert feed in page.content.decode()
    response = client.get(feed)
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


def test_it_shows_nothing_of_another_organizations_schedules(client_for, people, schedule):
    body = client_for(people["outsider"]).get(reverse("crisis:oncall-schedule")).content.decode()
    assert "Crisis desk on call" not in body
