"""The red banner on every signed-in desk page when no engine has swept lately."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from crisis.models import Role

from .beats import beat

pytestmark = pytest.mark.django_db

BANNER = 'id="engine-banner"'


@pytest.fixture
def desk(client_for, people):
    return client_for(people[Role.COMMANDER])


def test_it_shows_the_banner_when_the_engine_has_not_swept_for_longer_than_the_limit(desk, settings):
    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = 60
    beat(seconds_ago=600)
    html = desk.get(reverse("crisis:home")).content.decode()
    assert BANNER in html
    assert "has not swept for 10 minutes" in html
    assert 'role="alert"' in html


def test_it_shows_no_banner_while_an_engine_sweeps(desk, settings):
    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = 60
    beat(seconds_ago=5)
    assert BANNER not in desk.get(reverse("crisis:home")).content.decode()


def test_it_shows_the_banner_when_no_engine_has_ever_run(desk):
    html = desk.get(reverse("crisis:incident-list")).content.decode()
    assert BANNER in html
    assert "No deadline engine has run yet" in html


def test_it_shows_the_banner_on_every_desk_page_not_just_the_dashboard(desk, open_incident):
    beat(seconds_ago=3600)
    incident = open_incident()
    for url in (reverse("crisis:home"), reverse("crisis:incident-list"), reverse("crisis:playbooks"),
                reverse("crisis:incident-room", args=[incident.pk])):
        assert BANNER in desk.get(url).content.decode(), url


def test_it_shows_no_banner_to_someone_signed_out(client):
    beat(seconds_ago=3600)
    html = client.get(reverse("login")).content.decode()
    assert BANNER not in html


def test_it_styles_the_banner_within_the_content_security_policy(desk):
    beat(seconds_ago=3600)
    response = desk.get(reverse("crisis:home"))
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">.engine-banner' in html
    banner = html[html.index(BANNER) - 60: html.index("</div>", html.index(BANNER))]
    assert "style=" not in banner


def test_it_translates_the_banner_into_simplified_chinese(desk):
    beat(seconds_ago=600)
    with translation.override("zh-hans"):
        url = reverse("crisis:home")
    html = desk.get(url).content.decode()
    assert BANNER in html
    assert "时间节点引擎" in html
    assert "has not swept" not in html


def test_it_costs_a_desk_page_at_most_one_query_and_none_while_cached(desk, django_assert_max_num_queries):
    from crisis.health.heartbeat import engine_health

    beat(seconds_ago=600)
    with django_assert_max_num_queries(1):
        assert engine_health(cached=True).is_stale
    with django_assert_max_num_queries(0):
        assert engine_health(cached=True).is_stale


def test_it_judges_staleness_on_the_crisis_clock_at_each_render_even_when_cached(desk, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = 60
    beat(seconds_ago=0)
    assert BANNER not in desk.get(reverse("crisis:home")).content.decode()  # now cached
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        assert BANNER in desk.get(reverse("crisis:home")).content.decode()
