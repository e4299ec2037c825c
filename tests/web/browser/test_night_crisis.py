"""A night crisis logged late, in a real browser: the key steps of issue 14's acceptance scenario.

The on-call lead opens the incident 36 minutes after its first public signal (one page for what that
lateness already missed), acknowledges with the earlier time it really happened, and enters the
holding statement after the engine flagged its deadline, with its true, earlier publication time. The
room then tells the truth: the false alarms withdrawn (when, by whom, why) and how much later things
were entered. Walked in English and in Simplified Chinese, on a desktop and on a phone; screenshots go
to var/screenshots/ (not committed) for a person to look at.
"""

import re
import zoneinfo
from datetime import timedelta

import pytest

from crisis import clock
from crisis.models import Incident
from crisis.oncall.models import Page
from crisis.services.statements import statement_approve, statement_create, statement_submit_for_review
from crisis.timers.sweeper import deadlines_breach_due
from tests.web.browser.walks import DESKTOP, PHONE, dispatch_outbox, expect_playwright, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# "entered 27 min later" in English, "（27 分钟后录入）" in Chinese.
ENTERED_LATER = re.compile(r"\d+ (min|分钟)")


def _approved_statement(incident: Incident, people: dict):
    """Drafted and approved by colleagues on their own phones; the commander publishes it below."""
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们已关注到列车上手机冒烟的视频，目前无人受伤，正在调查。")
    statement_submit_for_review(statement=statement, actor=people["responder"])
    statement_approve(statement=statement, actor=people["approver"])
    return statement


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("zh-hans", DESKTOP), ("en", PHONE),
                                                    ("zh-hans", PHONE)],
                         ids=["en-desktop", "zh-hans-desktop", "en-phone", "zh-hans-phone"])
def test_it_walks_a_night_crisis_logged_late(sign_in, desk_people, org, clock_file, live_server, language, viewport):
    expect = expect_playwright()
    name = f"night-crisis-{language}-{'phone' if viewport is PHONE else 'desktop'}"
    zone = zoneinfo.ZoneInfo(org.time_zone)

    def typed(moment) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    def hhmm(moment) -> str:
        return moment.astimezone(zone).strftime("%H:%M")

    base = live_server.url + ("" if language == "en" else f"/{language}")
    commander = desk_people["commander"]
    page = sign_in(commander, viewport=viewport)
    signal = (clock.now() - timedelta(minutes=36)).replace(second=0, microsecond=0)

    # 23:20: the lead opens the incident; the video went out at 22:44.
    page.goto(f"{base}/incidents/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_title").fill(f"Phone smoking on a train ({name})")
    page.locator("#id_first_public_signal_at").fill(typed(signal))
    page.locator("#id_commander").select_option(str(commander.pk))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(f"Phone smoking on a train ({name})")
    incident = Incident.objects.get(title=f"Phone smoking on a train ({name})")
    assert incident.first_public_signal_at == signal

    # What the late logging already missed pages once, not once per deadline.
    dispatch_outbox()
    page.reload()
    expect(page.locator("ul.pages > li")).to_have_count(1)
    expect(page.locator('[data-step="acknowledge"]')).to_have_attribute("data-state", "breached")
    shot(page, f"{name}-1-opened")

    # "We were on it at 22:54": acknowledged with the earlier time it happened.
    page.locator("#id_ack_acknowledged_at").fill(typed(signal + timedelta(minutes=10)))
    page.locator("#acknowledge-form button[type=submit]").click()
    acknowledge = page.locator('[data-step="acknowledge"]')
    expect(acknowledge).to_have_attribute("data-state", "met")
    expect(acknowledge.locator(".retraction")).to_contain_text(hhmm(signal + timedelta(minutes=10)))
    expect(page.locator("#acknowledged")).to_contain_text(hhmm(signal + timedelta(minutes=10)))
    expect(page.locator("#acknowledged .entered-later")).to_contain_text(ENTERED_LATER)

    # Half an hour later the engine flags the holding statement, which in fact went out at 23:34.
    statement = _approved_statement(incident, desk_people)
    clock_file(30 * 60)
    assert deadlines_breach_due(now=clock.now()) >= 1
    dispatch_outbox()
    page.goto(f"{base}/incidents/{incident.pk}/")
    holding = page.locator('[data-step="holding-statement"]')
    expect(holding).to_have_attribute("data-state", "breached")

    published = signal + timedelta(minutes=50)
    page.goto(f"{base}/statements/{statement.pk}/")
    page.locator("#id_public_url").fill("https://weibo.example.com/lumen/1")
    page.locator("#id_published_at").fill(typed(published))
    page.locator('form[action$="/publish/"] button[type=submit]').click()
    expect(page.locator(".entered-later")).to_contain_text(ENTERED_LATER)
    statement.refresh_from_db()
    assert (statement.status, statement.published_at) == ("published", published)

    # The room: the false alarm withdrawn, with when it rang, who withdrew it and why; entered N min later.
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(holding).to_have_attribute("data-state", "met")
    retraction = holding.locator(".retraction")
    expect(retraction).to_contain_text(commander.get_full_name())
    expect(retraction).to_contain_text(hhmm(published))
    expect(holding.locator(".entered-later")).to_contain_text(ENTERED_LATER)
    expect(page.locator(f'a[href$="/statements/{statement.pk}/"] + .badge + small .entered-later')).to_contain_text(
        ENTERED_LATER)
    if language == "en":
        expect(retraction).to_have_text(re.compile(
            rf"flagged at \d\d:\d\d, withdrawn at \d\d:\d\d by {commander.get_full_name()}: "
            rf"published at {hhmm(published)}"))
        expect(holding.locator(".entered-later")).to_have_text(re.compile(r"\(entered \d+ min later\)"))
    page.locator("#golden-clock").scroll_into_view_if_needed()
    shot(page, f"{name}-2-room")
    assert Page.objects.get(incident=incident, breach__deadline__step_key="holding-statement").state == "resolved"


def test_it_says_what_a_crisis_logged_hours_late_owed_and_that_an_old_one_pages_nobody(
        sign_in, desk_people, org, live_server):
    from crisis.services.incidents import incident_open
    from crisis.services.sentiment import sentiment_checkpoint_record

    expect = expect_playwright()
    now = clock.now()
    late = incident_open(organization=org, actor=desk_people["commander"], title="Logged five hours late",
                         first_public_signal_at=now - timedelta(hours=5), severity=2)
    sentiment_checkpoint_record(incident=late, actor=desk_people["responder"], source="Weibo", negative_share=0.4,
                                measured_at=now - timedelta(hours=3, minutes=35))
    old = incident_open(organization=org, actor=desk_people["commander"], title="Loaded from last spring",
                        first_public_signal_at=now - timedelta(days=240), severity=2)
    page = sign_in(desk_people["viewer"], viewport=DESKTOP)

    page.goto(f"{live_server.url}/incidents/{late.pk}/")
    expect(page.locator('#passed-occurrences [data-step="sentiment-cadence"]')).to_contain_text(
        re.compile(r"\d+ expected before this was logged, 1 made"))
    expect(page.locator("#retrospective-notice")).to_have_count(0)
    page.locator("#golden-clock").scroll_into_view_if_needed()
    shot(page, "logged-late-en-desktop")

    page.goto(f"{live_server.url}/incidents/{old.pk}/")
    expect(page.locator("#retrospective-notice")).to_have_text("Entered as a record of the past: nobody is paged.")
    shot(page, "retrospective-en-desktop")
