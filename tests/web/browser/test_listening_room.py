"""The sentiment-level and baseline panels on a phone: readable without sideways scrolling, and Apply works."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import Incident
from crisis.services.incidents import incident_open
from crisis.services.sentiment import sentiment_checkpoints_ingest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def test_a_commander_applies_the_suggestion_from_a_phone(sign_in, desk_people, org, live_server, tmp_path):
    commander = desk_people["commander"]
    now = timezone.now()
    incident = incident_open(organization=org, actor=commander, title="Door would not open after the crash",
                             first_public_signal_at=now - timedelta(minutes=40), severity=3, commander=commander)
    sentiment_checkpoints_ingest(incident=incident, actor=commander, points=[
        {"measured_at": now - timedelta(minutes=60), "source": "Weibo", "negative_share": 0.2, "mention_volume": 900},
        {"measured_at": now - timedelta(minutes=5), "source": "Weibo", "negative_share": 0.62,
         "mention_volume": 48_000, "trending_rank": 4}])
    page = sign_in(commander, viewport=PHONE)
    page.goto(live_server.url + reverse("crisis:incident-room", args=[incident.pk]))
    panel = page.locator("#room-sentiment-level")
    assert "Suggested: raise the severity to SEV1" in panel.inner_text()
    page.locator("#room-baseline").scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "listening-375.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = page.locator(".baseline-table")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), "the baseline table scrolls sideways"
    panel.get_by_label("Reason").fill("Trending #4 with the video")
    panel.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert Incident.objects.get(pk=incident.pk).severity == 1
    assert "Suggested: raise" not in page.locator("#room-sentiment-level").inner_text()
