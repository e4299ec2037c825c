"""On a phone (375 px), a person picks a measure for the room's chart; the live refresh keeps it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.services.incidents import incident_open
from crisis.services.sentiment import sentiment_checkpoint_record

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
LIVE = 6_000  # the room polls every 1.5 s


def test_it_picks_a_measure_on_a_phone_and_keeps_it_through_a_live_refresh(sign_in, desk_people, org, live_server):
    from playwright.sync_api import expect

    incident = incident_open(organization=org, actor=desk_people["commander"], title="Livestream remark",
                             first_public_signal_at=timezone.now() - timedelta(minutes=30), severity=2,
                             commander=desk_people["commander"])
    record = dict(incident=incident, actor=desk_people["responder"], source="Douyin live")
    sentiment_checkpoint_record(**record, measured_at=timezone.now() - timedelta(minutes=20), negative_share=0.4,
                                hot_search_minutes=15)
    page = sign_in(desk_people["viewer"], viewport=PHONE)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")

    page.locator(".measure-picker").get_by_role("link", name="Minutes on hot search").click()
    chart = page.locator("#sentiment-chart")
    expect(chart).to_have_attribute("data-measure", "hot_search")
    assert page.url.endswith("?measure=hot_search")
    expect(chart.locator("circle.dot")).to_have_count(1)
    # Nothing runs off the side of a phone: the drawing scales to its column.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = chart.locator("svg").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    # A reading measured ten minutes ago, entered now: the chart refreshes on its own and stays on hot search.
    sentiment_checkpoint_record(**record, measured_at=timezone.now() - timedelta(minutes=10), hot_search_minutes=25)
    expect(chart.locator("circle.dot")).to_have_count(2, timeout=LIVE)
    expect(chart).to_have_attribute("data-measure", "hot_search")
