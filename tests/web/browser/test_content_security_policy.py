"""The pages the desk tests do not walk, in a real browser under the Content-Security-Policy: the sign_in fixture
fails the test on any policy violation or script error."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.services.incidents import incident_open

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def incident(org, desk_people):
    return incident_open(organization=org, actor=desk_people["commander"], title="Phone smoking on a train",
                         first_public_signal_at=timezone.now() - timedelta(minutes=5), severity=2,
                         commander=desk_people["commander"])


def test_it_filters_action_items_with_the_select_alone(sign_in, desk_people, incident, live_server):
    from playwright.sync_api import expect

    page = sign_in(desk_people["commander"])
    page.goto(f"{live_server.url}/action-items/")
    page.get_by_label("Show").select_option("all")
    expect(page).to_have_url(re.compile(r"status=all"))


def test_it_shows_the_post_mortem_page_and_the_golden_bar(sign_in, desk_people, incident, live_server):
    from playwright.sync_api import expect

    page = sign_in(desk_people["commander"])
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    bar = page.locator(".golden-bar rect")
    expect(bar).to_have_count(1)
    assert bar.bounding_box()["width"] > 0
    page.goto(f"{live_server.url}/incidents/{incident.pk}/report/")
    expect(page.locator("#downloads")).to_be_visible()


def test_it_shows_the_api_documentation(sign_in, desk_people, live_server):
    from playwright.sync_api import expect

    page = sign_in(desk_people["viewer"])
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Golden Hours API", timeout=30_000)
