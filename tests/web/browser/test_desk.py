"""The crisis desk in a real browser: the paths a PR team takes at 2 a.m."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from crisis import clock
from crisis.models import Incident, Statement
from crisis.services.incidents import incident_open
from crisis.services.statements import statement_create, statement_submit_for_review
from crisis.timers.sweeper import deadlines_breach_due

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def incident(org, desk_people):
    return incident_open(organization=org, actor=desk_people["commander"], title="Phone smoking on a train",
                         first_public_signal_at=timezone.now() - timedelta(minutes=5), severity=2,
                         commander=desk_people["commander"])


def test_it_opens_an_incident_and_its_countdowns_tick(sign_in, desk_people, org, live_server):
    expect = _expect()
    page = sign_in(desk_people["commander"])
    page.get_by_role("link", name="Open an incident").first.click()
    page.get_by_label("Title").fill("Battery fire video trending on Douyin")
    signal = (timezone.now() - timedelta(minutes=3)).astimezone(zoneinfo.ZoneInfo(org.time_zone))
    page.get_by_label("First surfaced in public").fill(signal.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Douyin / short video").check()
    page.get_by_role("button", name="Open the incident and start the clock").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Battery fire video trending on Douyin")
    assert Incident.objects.filter(title="Battery fire video trending on Douyin").exists()
    countdown = page.locator('[data-step="acknowledge"] [data-due]')
    expect(countdown).to_have_text(re.compile(r"in \d+ min \d+ s"))
    first = countdown.inner_text()
    # The browser ticks every second on its own; no reload, no sleep: wait for the text to change.
    expect(countdown).not_to_have_text(first, timeout=3000)
    expect(page.locator("#golden-clock [data-since]")).to_have_text(re.compile(r"\d+:\d\d"))


def test_it_logs_an_event_with_the_keyboard(sign_in, desk_people, incident, live_server):
    expect = _expect()
    page = sign_in(desk_people["responder"])
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.keyboard.press("/")
    box = page.locator("#quick-log input[name=body]")
    expect(box).to_be_focused()
    page.keyboard.type("Weibo repost by @tech_daily, 12k shares")
    page.keyboard.press("Enter")

    expect(page.locator("#timeline")).to_contain_text("Weibo repost by @tech_daily, 12k shares")
    # The box is empty again and keeps the focus, ready for the next line.
    expect(page.locator("#quick-log input[name=body]")).to_have_value("")
    expect(page.locator("#quick-log input[name=body]")).to_be_focused()
    logged = incident.events.filter(body="Weibo repost by @tech_daily, 12k shares")
    assert logged.get().actor == desk_people["responder"]


def test_it_takes_a_statement_from_draft_to_published_and_meets_the_deadline(sign_in, desk_people, incident,
                                                                                 live_server):
    expect = _expect()
    responder = sign_in(desk_people["responder"])
    responder.goto(f"{live_server.url}/incidents/{incident.pk}/statements/new/")
    responder.get_by_label("Channel").select_option("weibo")
    responder.get_by_label("Kind").select_option("holding")
    responder.get_by_label("Text").fill("我们已关注到列车上手机冒烟的视频，目前无人受伤，正在调查。")
    expect(responder.locator("[data-channel=weibo] output")).to_have_text("29 / 2000")
    responder.get_by_role("button", name="Save draft").click()
    responder.get_by_role("button", name="Submit for review").click()
    expect(responder.locator("#statement-status")).to_have_text("In review")
    statement_url = responder.url

    approver = sign_in(desk_people["approver"])
    approver.goto(statement_url)
    approver.get_by_role("button", name="Approve this version").click()
    expect(approver.locator("#statement-status")).to_have_text("Approved")

    commander = sign_in(desk_people["commander"])
    commander.goto(f"{live_server.url}/incidents/{incident.pk}/")
    holding = commander.locator('[data-step="holding-statement"]')
    expect(holding).to_have_attribute("data-state", "pending")
    commander.goto(statement_url)
    commander.get_by_label("Public URL").fill("https://weibo.example.com/lumen/1")
    commander.get_by_role("button", name="Publish").click()
    expect(commander.locator("#statement-status")).to_have_text("Published")
    commander.get_by_role("link", name=incident.title).click()
    expect(holding).to_have_attribute("data-state", "met")
    expect(holding).to_have_css("border-left-color", "rgb(30, 107, 48)")
    assert Statement.objects.get(incident=incident).status == "published"


def test_it_switches_to_chinese(sign_in, desk_people, incident, live_server):
    expect = _expect()
    page = sign_in(desk_people["viewer"])
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.get_by_label("Language").select_option("zh-hans")
    page.wait_for_url(re.compile(r"/zh-hans/incidents/\d+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language option:checked")).to_have_text("简体中文")


def test_it_shows_a_breach_without_reloading(sign_in, desk_people, incident, clock_file, live_server):
    expect = _expect()
    page = sign_in(desk_people["viewer"])
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    acknowledge = page.locator('[data-step="acknowledge"]')
    expect(acknowledge).to_have_attribute("data-state", "pending")
    page.evaluate("window.__sameDocument = true")

    clock_file(20 * 60)  # twenty minutes later, for the server and for the engine alike
    assert deadlines_breach_due(now=clock.now()) >= 1

    expect(acknowledge).to_have_attribute("data-state", "breached", timeout=12_000)
    expect(page.locator("#breached-count")).not_to_have_text(re.compile(r"^0 "))
    assert page.evaluate("window.__sameDocument") is True


def test_it_keeps_what_the_user_is_typing_while_the_page_refreshes(sign_in, desk_people, incident, live_server):
    expect = _expect()
    page = sign_in(desk_people["responder"])
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.locator("#quick-log input[name=body]").fill("half a thought")
    statement = statement_create(incident=incident, actor=desk_people["commander"], channel="weibo",
                                 kind="holding", body="草稿")
    statement_submit_for_review(statement=statement, actor=desk_people["commander"])
    # A colleague's action shows up through polling ...
    expect(page.locator("#timeline")).to_contain_text("Statement submitted for review", timeout=12_000)
    # ... and the half-typed entry is still there.
    expect(page.locator("#quick-log input[name=body]")).to_have_value("half a thought")
