"""A long timeline in a real browser: older lines load in place, and the live refresh keeps them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import EventKind, TimelineEvent
from crisis.services.incidents import incident_open
from crisis.services.timeline import timeline_event_log
from crisis.web.timeline_pages import PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_loads_older_lines_without_reloading_the_room_and_keeps_them_on_refresh(
        sign_in, desk_people, org, live_server):
    from playwright.sync_api import expect

    incident = incident_open(organization=org, actor=desk_people["commander"], title="A long night",
                             first_public_signal_at=timezone.now() - timedelta(hours=6), severity=3)
    start = incident.first_public_signal_at
    TimelineEvent.objects.bulk_create(
        TimelineEvent(incident=incident, kind=EventKind.OBSERVATION, body=f"observation {n}",
                      actor=desk_people["responder"], occurred_at=start + timedelta(minutes=2 * n),
                      recorded_at=start + timedelta(minutes=2 * n))
        for n in range(PAGE_SIZE + 20))
    page = sign_in(desk_people["responder"])
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    oldest = page.locator("#timeline li.entry", has_text="observation 0")
    expect(oldest).to_have_count(0)
    page.evaluate("window.__sameDocument = true")

    page.locator("#timeline-more").click()
    expect(oldest).to_have_count(1)
    expect(page.locator("#timeline-more")).to_have_count(0)

    # A colleague logs a line; the refresh that brings it must not drop what was loaded.
    timeline_event_log(incident=incident, actor=desk_people["commander"], body="Press called the hotline")
    expect(page.locator("#timeline")).to_contain_text("Press called the hotline", timeout=12_000)
    expect(oldest).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
