"""A room under /zh-hans/ in Chromium: every system line reads in Chinese, and the pin is drawn, not an emoji."""

from datetime import timedelta

import pytest
import time_machine

from crisis.services.incidents import incident_open
from tests.deadline_helpers import T0
from tests.web.test_room_language import build_every_line, untranslated

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def every_line_incident(org, people):
    """The same incident as the room scan's, built at its own moments; the clock is let go before the browser."""
    travels = []

    def at(minutes: float):
        if travels:
            travels.pop().stop()
        travel = time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)
        travel.start()
        travels.append(travel)
        return T0 + timedelta(minutes=minutes)

    def incident_at_t0(**fields):
        at(5)
        return incident_open(organization=org, actor=people["responder"], first_public_signal_at=T0, severity=2,
                             **fields)

    try:
        return build_every_line(org, people, incident_at_t0, at)
    finally:
        for travel in travels:
            travel.stop()


def test_it_shows_the_room_in_chinese_with_no_english_system_text(chromium, live_server, desk_people, org):
    from playwright.sync_api import expect

    incident = every_line_incident(org, desk_people)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems = []
    context.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        # No prefix typed: the browser's Accept-Language (zh-CN) leads to /zh-hans/.
        page.goto(f"{live_server.url}/login/")
        assert page.url.startswith(f"{live_server.url}/zh-hans/login/")
        page.locator("input[name=username]").fill(desk_people["viewer"].username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/zh-hans/")
        page.goto(f"{live_server.url}/zh-hans/incidents/{incident.pk}/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        # Runs of system lines are folded: open them, so that what they say is read too.
        page.evaluate("document.querySelectorAll('#timeline details').forEach(d => { d.open = true; })")
        timeline = page.locator("#timeline").inner_text()
        assert "已逾期" in timeline or "逾期完成" in timeline
        assert untranslated(timeline) == {}
        assert untranslated(page.locator("body").inner_text()) == {}
        pins = page.locator("#timeline li.pinned .pin svg")
        assert pins.count() > 0
        assert "\U0001f4cc" not in page.content()
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        context.close()
