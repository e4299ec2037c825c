"""Issue 16's acceptance walk, "say it once, say it right", in a real browser on a night crisis.

At two in the morning the lead opens the incident, starts the holding statement from a first-hour template
(one click from the room), promises an update by noon, confirms that promise on the statement page and
publishes. A colleague's WeChat draft that says 15:00 is stopped by the consistency check, the two times
side by side; it is put right and submitted, and the legal step nobody signs pages the deputy. The
founder's own post goes on the record from the room. Noon passes without the update: the promise's owner
is paged, and the post-mortem shows the promise broken and the founder's post on the chart. Walked in
English and in Simplified Chinese, on a desktop and on a phone; screenshots go to var/screenshots/.
"""

import re
import zoneinfo
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from crisis import clock
from crisis.approvals.services.chains import approval_chain_set
from crisis.comms.models import StatementTemplate
from crisis.models import DeadlineKind, Incident, Role, Statement
from crisis.oncall.models import Page, PageSource
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_approve
from tests.factories import member
from tests.oncall.helpers import recipients, sweep_and_dispatch

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# What each language's desk writes, and what the check and the report say about it.
WORDS = {
    "en": {
        "template": "en",
        "promise": "We will give a full update by noon.",
        "wechat": "An update on the smoking phone: we will give a full update at 15:00.",
        "wechat_fixed": "An update on the smoking phone: we will give a full update by noon.",
        "noon": "noon", "three": "15:00",
        "refused": "This text says something other than what the brand already said in 1 place.",
        "no_conflict": "No conflict found",
        "off_script": "off-script", "overdue": "overdue", "broken": "Broken",
        "chart_off_script": "off-script post", "not_approved": "off-script, not approved",
    },
    "zh-hans": {
        "template": "zh-hans",
        "promise": "我们将于今天中午12点前公布调查进展。",
        "wechat": "关于列车上手机冒烟：我们将于今天下午3点公布调查进展。",
        "wechat_fixed": "关于列车上手机冒烟：我们将于今天中午12点前公布调查进展。",
        "noon": "中午12点", "three": "下午3点",
        "refused": "本文有 1 处与品牌已对外说过的内容不一致。",
        "no_conflict": "与事实清单及其他渠道未发现冲突",
        "off_script": "未经审批的发布", "overdue": "已超时", "broken": "未兑现",
        "chart_off_script": "场外发言", "not_approved": "场外发言，未经审批",
    },
}
# The holding template promises the next update "by <time>"; the lead says noon instead.
TEMPLATE_PROMISE = {"en": re.compile(r"We will share what we know by [^,]+, or sooner if we learn more\."),
                    "zh-hans": re.compile(r"我们将在.+?前公布进展，如有新情况会第一时间告知。")}


def _expect():
    from playwright.sync_api import expect

    return expect


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _two_in_the_morning(zone) -> float:
    """The clock offset that makes the desk's present the next 02:00 in the incident's zone."""
    real = timezone.now().astimezone(zone)
    target = real.replace(hour=2, minute=0, second=0, microsecond=0)
    if target <= real:
        target += timedelta(days=1)
    return (target - real).total_seconds()


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("zh-hans", DESKTOP), ("en", PHONE),
                                                    ("zh-hans", PHONE)],
                         ids=["en-desktop", "zh-hans-desktop", "en-phone", "zh-hans-phone"])
def test_it_says_it_once_and_says_it_right(sign_in, desk_people, org, clock_file, live_server, language, viewport):
    expect = _expect()
    words = WORDS[language]
    name = f"say-it-right-{language}-{'phone' if viewport is PHONE else 'desktop'}"
    zone = zoneinfo.ZoneInfo(org.time_zone)
    commander, responder, legal = desk_people["commander"], desk_people["responder"], desk_people["approver"]

    # The organization's set-up, done earlier by an admin: updates go past Legal, whose deputy covers the night.
    admin = member(org, Role.ADMIN)
    deputy = member(org, Role.APPROVER, username="legal-deputy", first_name="Deputy", last_name="Counsel")
    approval_chain_set(organization=org, actor=admin, kind="update", expected_version=0, steps=[
        {"name": "Legal", "approvers": [legal.pk], "deputies": [deputy.pk], "limit_minutes": None}])

    offset = _two_in_the_morning(zone)

    def move(minutes: float) -> None:
        clock_file(offset + minutes * 60)

    def typed(moment) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    move(0)
    base = live_server.url + ("" if language == "en" else f"/{language}")
    page = sign_in(commander, viewport=viewport)
    title = f"Phone smoking on a train ({name})"
    signal = (clock.now() - timedelta(minutes=20)).replace(second=0, microsecond=0)

    # 02:00: the lead opens the incident; the video went out at 01:40.
    page.goto(f"{base}/incidents/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_title").fill(title)
    page.locator("#id_first_public_signal_at").fill(typed(signal))
    page.locator("#id_commander").select_option(str(commander.pk))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(title)
    incident = Incident.objects.get(title=title)

    # One click from the room: the holding template, filled in for this incident.
    template = StatementTemplate.objects.get(organization=org, kind="holding", language=words["template"],
                                             incident_type="")
    page.locator(f'#room-comms a[data-template="{template.pk}"]').click()
    body = page.locator("#id_body")
    filled = body.input_value()
    assert title in filled and signal.astimezone(zone).strftime("%H:%M") in filled
    assert TEMPLATE_PROMISE[language].search(filled), filled
    body.fill(TEMPLATE_PROMISE[language].sub(words["promise"], filled))
    page.locator("main form button[type=submit]").click()
    holding = Statement.objects.get(incident=incident, kind="holding")
    expect(page).to_have_url(re.compile(rf"/statements/{holding.pk}/$"))

    # The statement page finds the promise; the lead confirms it with its owner.
    page.locator('form[action$="/promises/suggest/"] button').click()
    promise = page.locator("#commitments [data-commitment]")
    expect(promise).to_have_count(1)
    expect(promise.locator("q")).to_contain_text(words["noon"])
    noon = signal.astimezone(zone).replace(hour=12, minute=0)
    expect(promise).to_contain_text(noon.strftime("%m-%d 12:00"))
    promise.locator('select[name="owner"]').select_option(str(responder.pk))
    promise.locator('button[formaction$="/confirm/"]').click()
    expect(promise.locator(".badge")).not_to_have_text(re.compile("suggested", re.I))
    _shot(page, f"{name}-1-promise-confirmed")

    # Submitted by the lead, approved by a colleague on the phone, published from this page.
    page.locator("#statement-submit-form button[type=submit]").click()
    expect(page.locator("#statement-submit-form")).to_have_count(0)
    holding.refresh_from_db()
    statement_approve(statement=holding, actor=legal)
    page.reload()
    page.locator("#statement-publish-form button[type=submit]").click()
    holding.refresh_from_db()
    assert holding.status == "published"
    expect(page.locator("#commitments [data-commitment]")).to_contain_text(responder.get_full_name())

    # A WeChat draft says 15:00: the check stops it and shows both times side by side.
    page.goto(f"{base}/incidents/{incident.pk}/statements/new/")
    page.locator("#id_channel").select_option("wechat")
    page.locator("#id_kind").select_option("update")
    page.locator("#id_language").select_option(words["template"])
    page.locator("#id_body").fill(words["wechat"])
    page.locator("main form button[type=submit]").click()
    wechat = Statement.objects.get(incident=incident, channel="wechat")
    page.locator("#statement-submit-form button[type=submit]").click()
    conflicts = page.locator("table.consistency-conflicts tbody tr")
    expect(conflicts).to_have_count(1)
    expect(conflicts.locator("td").nth(0)).to_contain_text(words["noon"])
    expect(conflicts.locator("td").nth(1)).to_contain_text(words["three"])
    expect(page.locator("#statement-consistency")).to_contain_text(words["refused"])
    wechat.refresh_from_db()
    assert wechat.status == "draft"
    page.locator("#statement-consistency").scroll_into_view_if_needed()
    _shot(page, f"{name}-2-wechat-stopped")

    # Put right, it goes to Legal.
    page.locator('form[action$="/revise/"] textarea[name="body"]').fill(words["wechat_fixed"])
    page.locator('form[action$="/revise/"] button[type=submit]').click()
    expect(page.locator("table.consistency-conflicts")).to_have_count(0)
    expect(page.locator("#statement-consistency")).to_contain_text(words["no_conflict"])
    page.locator("#statement-submit-form button[type=submit]").click()
    wechat.refresh_from_db()
    assert wechat.status == "in_review"
    expect(page.locator("#approval-chain .chain-step.is-waiting")).to_contain_text("Legal")

    # 02:10: the founder posts on his own account; the lead logs it from the room.
    page.goto(f"{base}/incidents/{incident.pk}/")
    page.locator(f'#room-comms a[href$="/incidents/{incident.pk}/off-script/"]').click()
    page.locator("#id_posted_by").fill("Founder Li")
    page.locator("#id_account").fill("@founder")
    page.locator("#id_happened_at").fill(typed(clock.now() - timedelta(minutes=2)))
    page.locator("#id_body").fill("Relax, phones get warm. Nothing to see here.")
    page.locator("#off-script-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/incidents/{incident.pk}/$"))
    posted = Statement.objects.get(incident=incident, is_off_script=True)
    off_script = page.locator(f'#room-statements li[data-statement="{posted.pk}"] .badge.off-script')
    expect(off_script).to_be_visible()
    expect(off_script).to_have_text(words["off_script"])

    # Nobody in Legal signs: at 02:20 the step times out and pages Legal, five minutes on the deputy.
    move(20)
    sweep_and_dispatch(clock.now())
    approval = Page.objects.get(incident=incident, deadline__kind=DeadlineKind.APPROVAL, source=PageSource.BREACH)
    assert recipients(approval, step=0) == [legal.username]
    move(27)
    sweep_and_dispatch(clock.now())
    assert recipients(approval, step=1) == [deputy.username]
    page.goto(f"{base}/statements/{wechat.pk}/")
    waiting = page.locator("#approval-chain .chain-step.is-waiting.is-overdue")
    expect(waiting).to_contain_text(deputy.get_full_name())
    # Ticking on the server's (moved) clock, in the reader's units: "overdue 12 min 1 s".
    expect(waiting.locator(".countdown")).to_have_text(re.compile(rf"^{words['overdue']} \d+ \S+ \d+ \S+$"))
    _shot(page, f"{name}-3-legal-overdue")

    # Noon passes without the update; in the morning the listeners log the night's readings (late, as they do).
    move(10 * 60 + 5)
    for minutes, share in ((5, 0.30), (35, 0.55), (65, 0.62), (140, 0.48)):
        sentiment_checkpoint_record(incident=incident, actor=responder, source="Weibo", negative_share=share,
                                    mention_volume=1000 + minutes * 10, measured_at=signal + timedelta(minutes=minutes))

    # The promise's owner is paged, and the room shows it overdue.
    sweep_and_dispatch(clock.now())
    slipped = Page.objects.get(incident=incident, deadline__kind=DeadlineKind.COMMITMENT, source=PageSource.BREACH)
    assert recipients(slipped, step=0) == [responder.username]
    page.goto(f"{base}/incidents/{incident.pk}/")
    open_promise = page.locator("#room-commitments li.overdue")
    expect(open_promise).to_contain_text(words["noon"])
    page.locator("#room-commitments").scroll_into_view_if_needed()
    _shot(page, f"{name}-4-room-after-noon")

    # The post-mortem: the promise broken, the founder's post on the chart.
    page.goto(f"{base}/incidents/{incident.pk}/report/")
    broken = page.locator("#promises tr.promise-broken")
    expect(broken).to_have_count(1)
    expect(broken).to_contain_text(words["noon"])
    expect(broken).to_contain_text(responder.get_full_name())
    expect(broken).to_contain_text(words["broken"])
    chart = page.locator("#sentiment svg").first
    expect(chart).to_be_visible()
    expect(chart).to_contain_text(words["chart_off_script"])
    expect(page.locator("#sentiment em.off-script")).to_have_text(f"({words['not_approved']})")
    assert chart.locator('path[d*="l5 6 l-5 6"]').count() == 1  # the off-script diamond
    _shot(page, f"{name}-5-report")
