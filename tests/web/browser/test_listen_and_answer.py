"""Listen and answer, in a real browser: issue 20's acceptance scenario.

(1) A surge entered on the desk's sentiment page makes the room suggest SEV1 with the figures that crossed;
the commander applies it, and the next slipped deadline pages through the SEV1 escalation policy (whose
condition asks for a critical sentiment level), not the SEV2 one. (2) A journalist's inquiry logged in the
room with a 30-minute reply-by slips: its owner is paged and the room shows it overdue. (3) A new incident
tagged like an old one shows the old one's open action item under "Past thorns". Walked in English and
Simplified Chinese, on a desktop and a phone; screenshots go to var/screenshots/ (not committed).
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from crisis import clock
from crisis.listening.models import SentimentLevel
from crisis.models import DeadlineKind, Incident, Role
from crisis.oncall.models import Page, TargetKind
from crisis.reports.services import action_item_create
from crisis.services.incidents import incident_open
from crisis.services.sentiment import sentiment_checkpoints_ingest
from crisis.timers.sweeper import deadlines_breach_due
from tests.factories import member
from tests.oncall.factories import policy_with
from tests.oncall.helpers import recipients
from tests.web.browser.walks import DESKTOP, PHONE, dispatch_outbox, expect_playwright, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WALKS = pytest.mark.parametrize(
    ("language", "viewport"), [("en", DESKTOP), ("zh-hans", DESKTOP), ("en", PHONE), ("zh-hans", PHONE)],
    ids=["en-desktop", "zh-hans-desktop", "en-phone", "zh-hans-phone"])


@dataclass
class Walk:
    name: str  # of the screenshots and the incident titles
    base: str  # the desk's address in the walk's language
    zone: zoneinfo.ZoneInfo
    now: datetime


def _walk(step: str, *, org, live_server, language: str, viewport: dict) -> Walk:
    return Walk(name=f"listen-{step}-{language}-{'phone' if viewport is PHONE else 'desktop'}",
                base=live_server.url + ("" if language == "en" else f"/{language}"),
                zone=zoneinfo.ZoneInfo(org.time_zone), now=clock.now())


def _sweep() -> None:
    """What the engine's beat does at the (moved) time: breach what is due, then the worker dispatches."""
    deadlines_breach_due(now=clock.now())
    dispatch_outbox()


def _person(org, first_name: str):
    return member(org, Role.RESPONDER, first_name=first_name, last_name="Oncall")


@WALKS
def test_a_surge_suggests_sev1_and_the_next_breach_pages_the_sev1_policy(
        sign_in, desk_people, org, clock_file, live_server, language, viewport):
    expect = expect_playwright()
    walk = _walk("surge", org=org, live_server=live_server, language=language, viewport=viewport)
    name, base, now = walk.name, walk.base, walk.now
    commander = desk_people["commander"]
    sev2_person, sev1_person = _person(org, "Sev2"), _person(org, "Sev1")
    sev2_policy = policy_with(org, [{"target_kind": TargetKind.USER, "user": sev2_person}], severities=[2])
    sev1_policy = policy_with(org, [{"target_kind": TargetKind.USER, "user": sev1_person}], severities=[1],
                              min_sentiment_level=SentimentLevel.CRITICAL)
    incident = incident_open(organization=org, actor=commander, title=f"Battery fire on video ({name})",
                             first_public_signal_at=now - timedelta(minutes=2), severity=2, commander=commander)
    # The quiet hour before the video: the baseline the surge is measured against.
    sentiment_checkpoints_ingest(incident=incident, actor=commander, points=[
        {"measured_at": now - timedelta(minutes=60), "source": "Weibo", "negative_share": 0.2,
         "mention_volume": 900}])
    page = sign_in(commander, viewport=viewport)

    page.goto(f"{base}/incidents/{incident.pk}/")
    level = page.locator("#room-sentiment-level")
    expect(level.locator(".listening-suggestion")).to_have_count(0)

    # The surge, as the listener on duty types it in.
    page.goto(f"{base}/incidents/{incident.pk}/sentiment/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_source").fill("Weibo")
    page.locator("#id_negative_share").fill("74")
    page.locator("#id_mention_volume").fill("48000")
    page.locator("#id_trending_rank").fill("2")
    page.locator("main form[action$='/sentiment/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))

    expect(level.locator(".badge")).to_have_text(str(SentimentLevel.CRITICAL.label) if language == "en" else "危急")
    figures = level.locator(".listening-figures")
    expect(figures).to_contain_text("74%")
    expect(figures).to_contain_text("70%")  # the critical threshold it crossed
    expect(figures).to_contain_text("#2")
    expect(figures).to_contain_text("×53.3")
    suggestion = level.locator(".listening-suggestion")
    expect(suggestion).to_contain_text("SEV1")
    if language == "en":
        expect(suggestion).to_contain_text("Suggested: raise the severity to SEV1 – critical.")
        expect(figures).to_contain_text("Weibo: negative share 74% (threshold 70%)")
    shot(page, f"{name}-1-suggested")

    suggestion.locator("input[name=reason]").fill("Trending #2 with the video")
    suggestion.locator("button[type=submit]:not(.secondary)").click()
    expect(level.locator(".listening-suggestion")).to_have_count(0)
    expect(page.locator(".room-head .sev, .sev").first).to_contain_text("SEV1")
    expect(level).to_contain_text("Trending #2 with the video")
    assert Incident.objects.get(pk=incident.pk).severity == 1

    # An hour on, the playbook's deadlines have slipped: paged through the SEV1 policy, its person, not SEV2's.
    # (The surge itself paged while the incident was still SEV2: that page went through the SEV2 policy.)
    surge = Page.objects.get(incident=incident, breach__isnull=True)
    assert (surge.policy_id, recipients(surge)) == (sev2_policy.pk, [sev2_person.username])
    clock_file(60 * 60)
    _sweep()
    slipped = list(Page.objects.filter(incident=incident, breach__isnull=False))
    assert slipped, "a slipped deadline paged nobody"
    for breach_page in slipped:
        assert (breach_page.policy_id, recipients(breach_page)) == (sev1_policy.pk, [sev1_person.username])
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(page.locator("#room-pages > p.muted")).to_contain_text(
        "the people the escalation policies name" if language == "en" else "升级策略指定的人员")
    paging = page.locator("ul.pages > li")
    expect(paging).to_have_count(len(slipped) + 1)
    expect(paging.filter(has_text=sev1_person.get_full_name())).to_have_count(len(slipped))
    expect(paging.filter(has_text=sev2_person.get_full_name())).to_have_count(1)
    shot(page, f"{name}-2-paged")


@WALKS
def test_an_inquiry_that_slips_pages_its_owner_and_shows_overdue(
        sign_in, desk_people, org, clock_file, live_server, language, viewport):
    expect = expect_playwright()
    walk = _walk("inquiry", org=org, live_server=live_server, language=language, viewport=viewport)
    name, base, zone, now = walk.name, walk.base, walk.zone, walk.now
    commander, responder = desk_people["commander"], desk_people["responder"]
    incident = incident_open(organization=org, actor=commander, title=f"Recall rumour ({name})",
                             first_public_signal_at=now - timedelta(minutes=2), severity=2, commander=commander)
    page = sign_in(responder, viewport=viewport)

    page.goto(f"{base}/incidents/{incident.pk}/")
    panel = page.locator("#room-inquiries")
    panel.locator("details.inquiry-log > summary").click()
    form = panel.locator("details.inquiry-log form")
    form.locator("[name=asker_name]").fill("Li Wei, Southern Weekly")
    form.locator("[name=channel]").select_option("phone")
    form.locator("[name=question]").fill("Are the recalled chargers the ones sold in Shenzhen?")
    form.locator("[name=reply_within_minutes]").fill("30")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))

    row = panel.locator("li.inquiry")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Li Wei, Southern Weekly")
    expect(row).to_contain_text(responder.get_full_name())
    inquiry_deadline = incident.deadlines.get(kind=DeadlineKind.INQUIRY)
    assert inquiry_deadline.owner == responder
    assert inquiry_deadline.due_at - now >= timedelta(minutes=30)
    expect(row.locator(".countdown")).to_contain_text(inquiry_deadline.due_at.astimezone(zone).strftime("%H:%M"))
    expect(row).not_to_have_class(re.compile(r"is-overdue"))
    # The golden clock names who owes the reply, not the playbook's role.
    clock_row = page.locator(f"#deadline-{inquiry_deadline.pk}")
    expect(clock_row).to_contain_text(responder.get_full_name())
    # Readable on a phone: neither the question nor the deadline's name squeezed into a sliver by the countdown.
    for squeezed, within in ((row.locator(".inquiry-question"), row), (clock_row.locator("strong").first, clock_row)):
        assert squeezed.bounding_box()["width"] > within.bounding_box()["width"] / 2, "squeezed beside the countdown"
    shot(page, f"{name}-1-logged")

    # Nobody answered: 31 minutes later the engine breaches the reply-by and pages the owner.
    clock_file(31 * 60)
    _sweep()
    slipped = Page.objects.get(incident=incident, breach__deadline=inquiry_deadline)
    assert recipients(slipped) == [responder.username]
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(row).to_have_class(re.compile(r"is-overdue"))
    expect(row.locator("[data-due]")).to_contain_text("overdue" if language == "en" else "已超时")
    expect(page.locator("ul.pages")).to_contain_text(responder.get_full_name())
    row.scroll_into_view_if_needed()
    shot(page, f"{name}-2-overdue")


@WALKS
def test_a_new_incident_tagged_like_an_old_one_shows_its_open_action_item(
        sign_in, desk_people, org, live_server, language, viewport):
    expect = expect_playwright()
    walk = _walk("thorns", org=org, live_server=live_server, language=language, viewport=viewport)
    name, base, zone, now = walk.name, walk.base, walk.zone, walk.now
    commander, responder = desk_people["commander"], desk_people["responder"]
    old = incident_open(organization=org, actor=commander, title="Charger overheating last spring",
                        first_public_signal_at=now - timedelta(days=240), severity=2, tags=["charger", "Shenzhen"])
    action_item_create(incident=old, actor=commander, title="Second supplier for charger casings", owner=responder,
                       due_on=(now + timedelta(days=30)).astimezone(zone).date())
    page = sign_in(commander, viewport=viewport)

    page.goto(f"{base}/incidents/new/")
    title = f"Charger melts on a desk ({name})"
    page.locator("#id_title").fill(title)
    page.locator("#id_first_public_signal_at").fill((now - timedelta(minutes=5)).astimezone(zone)
                                                    .strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_tags").fill("charger, Beijing")
    page.locator("#id_commander").select_option(str(commander.pk))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(title)

    thorns = page.locator("#room-thorns")
    past = thorns.locator(f'[data-past-incident="{old.pk}"]')
    expect(past).to_contain_text("Charger overheating last spring")
    expect(past.locator(".thorns-shared")).to_contain_text("charger")
    expect(past.locator(".thorns-shared")).not_to_contain_text("Beijing")
    items = past.locator(".thorns-items")
    expect(items).to_contain_text("Second supplier for charger casings")
    expect(items).to_contain_text(responder.get_full_name())
    expect(items).to_contain_text("1 action item still open" if language == "en" else "1")
    thorns.scroll_into_view_if_needed()
    shot(page, f"{name}-1-room")
