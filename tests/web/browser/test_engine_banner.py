"""The stale-engine banner in a real browser, under the Content-Security-Policy (sign_in fails the test on any
violation): red, announced as an alert, gone once an engine sweeps again."""

# Beside the other browser tests: one Playwright per session (a second session-scoped Chromium fixture, started
# from another conftest, finds the first one's event loop running and fails every browser test after it).

import pytest
from django.core.cache import cache

from crisis.health.heartbeat import CACHE_KEY
from tests.health.beats import beat

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_red_banner_while_no_engine_sweeps_and_hides_it_once_one_does(sign_in, desk_people, live_server,
                                                                                  clock_file, settings):
    from playwright.sync_api import expect

    settings.GOLDEN_HOURS_ENGINE_STALE_AFTER = 60
    beat(seconds_ago=0)
    page = sign_in(desk_people["commander"])
    expect(page.locator("#engine-banner")).to_have_count(0)

    clock_file(15 * 60)  # the engine's last sweep is now a quarter of an hour old
    cache.delete(CACHE_KEY)
    page.goto(f"{live_server.url}/incidents/")
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("The deadline engine has not swept for 15 minutes")
    assert banner.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(176, 0, 32)"

    beat(seconds_ago=0)  # an engine sweeps again (on the moved clock)
    page.goto(f"{live_server.url}/incidents/")
    expect(page.locator("#engine-banner")).to_have_count(0)
