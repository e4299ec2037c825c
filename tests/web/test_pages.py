"""Every page answers its members, hides itself from outsiders and asks strangers to sign in."""

import pytest
from django.urls import reverse

from crisis.services.statements import statement_create

pytestmark = pytest.mark.django_db


def _pages(incident, statement):
    return [
        reverse("crisis:home"),
        reverse("crisis:incident-open"),
        reverse("crisis:incident-room", args=[incident.pk]),
        reverse("crisis:incident-clock", args=[incident.pk]),
        reverse("crisis:incident-timeline", args=[incident.pk]),
        reverse("crisis:incident-chart", args=[incident.pk]),
        reverse("crisis:sentiment-entry", args=[incident.pk]),
        reverse("crisis:statement-new", args=[incident.pk]),
        reverse("crisis:statement-detail", args=[statement.pk]),
        reverse("crisis:playbooks"),
    ]


@pytest.fixture
def statement(incident, people):
    return statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                            body="我们已关注到相关视频。")


def test_it_shows_every_page_to_a_commander(client_for, people, incident, statement):
    client = client_for(people["commander"])
    for url in _pages(incident, statement):
        response = client.get(url)
        assert response.status_code == 200, url


def test_it_sends_strangers_to_the_sign_in_page(client, incident, statement):
    for url in _pages(incident, statement):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_it_hides_incidents_from_other_organizations(client_for, people, incident, statement):
    client = client_for(people["outsider"])
    for url in _pages(incident, statement)[2:-1]:
        if "new" in url and "statements" not in url:
            continue
        assert client.get(url).status_code == 404, url


def test_it_does_not_list_other_organizations_incidents_on_the_dashboard(client_for, people, incident):
    response = client_for(people["outsider"]).get(reverse("crisis:home"))
    assert incident.title not in response.content.decode()


def test_it_signs_in_with_its_own_page(client, people):
    user = people["responder"]
    user.set_password("pw")
    user.save(update_fields=["password"])
    page = client.get(reverse("login"))
    assert b'name="username"' in page.content
    response = client.post(reverse("login"), {"username": user.username, "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("crisis:home")


def test_it_rejects_a_wrong_password_on_the_sign_in_page(client, people):
    response = client.post(reverse("login"), {"username": people["responder"].username, "password": "nope"})
    assert response.status_code == 200
    assert b"errorlist" in response.content


def test_it_signs_out_with_a_post(client_for, people):
    client = client_for(people["viewer"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("crisis:home")).status_code == 302


def test_it_serves_the_pages_in_chinese(client_for, people, incident):
    client = client_for(people["viewer"])
    response = client.get(f"/zh-hans/incidents/{incident.pk}/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_it_switches_language_and_returns_to_the_page(client_for, people, incident):
    client = client_for(people["viewer"])
    room = f"/incidents/{incident.pk}/"
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": room})
    assert response.status_code == 302
    assert response["Location"] == f"/zh-hans{room}"


def test_it_shows_times_in_the_incident_zone_with_utc_on_hover(client_for, people, open_incident):
    incident = open_incident(time_zone="Asia/Shanghai")
    content = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert "CST" in content
    assert " UTC\"" in content
