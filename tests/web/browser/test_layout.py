"""The desk's frame at the two sizes people use it: a 1280x800 laptop and a 390x844 phone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.services.incidents import incident_open
from crisis.services.sentiment import sentiment_checkpoint_record
from tests.deadline_helpers import T0
from tests.factories import IncidentFactory
from tests.reports.factories import DeadlineFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Issue 19 adds "Incidents" and an on-call setup link to the main links; the header keeps room for both.
COMING_LINKS = ["Incidents", "On-call setup"]


def _add_coming_links(page) -> None:
    page.evaluate("""(names) => {
        const nav = document.querySelector('.site-header nav');
        const have = [...nav.querySelectorAll('a')].map(a => a.textContent.trim());
        for (const name of names.filter(n => !have.includes(n))) {
            const link = document.createElement('a');
            link.href = '#';
            link.textContent = name;
            nav.appendChild(link);
        }
    }""", COMING_LINKS)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _assert_one_row_header(page) -> None:
    nav, link = _box(page, ".site-header nav"), _box(page, ".site-header nav a")
    # One line of links: the nav is as tall as one link (a second row would double it).
    assert nav["height"] < link["height"] * 1.5, (nav, link)
    header = _box(page, ".site-header")
    for selector in (".brand", ".site-header nav", "#language", ".site-header .who summary"):
        box = _box(page, selector)
        assert box["y"] + box["height"] <= header["y"] + header["height"], selector
        assert box["y"] < header["y"] + link["height"] * 1.5, selector
    assert header["height"] < link["height"] * 2.6


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_it_keeps_the_english_header_on_one_row_at_1280(sign_in, desk_people, tmp_path):
    page = sign_in(desk_people["commander"], viewport=DESKTOP)
    _add_coming_links(page)
    # The screenshot is kept with the test's files to look at when this fails.
    page.screenshot(path=tmp_path / "header-1280.png")
    _assert_one_row_header(page)


def test_it_keeps_the_chinese_header_on_one_row_at_1280(sign_in, desk_people, live_server):
    page = sign_in(desk_people["commander"], viewport=DESKTOP)
    page.get_by_label("Language").select_option("zh-hans")
    page.wait_for_url("**/zh-hans/")
    _add_coming_links(page)
    _assert_one_row_header(page)


def test_it_opens_the_persons_menu_with_notifications_and_sign_out(sign_in, desk_people, live_server):
    page = sign_in(desk_people["commander"], viewport=DESKTOP)
    page.locator(".site-header .who summary").click()
    page.get_by_role("link", name="My notifications").click()
    page.wait_for_url(f"{live_server.url}{reverse('oncall_desk:my-notifications')}")
    page.locator(".site-header .who summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")


@pytest.mark.parametrize("page_name", ["crisis:home", "crisis:incident-open", "reports:analytics",
                                       "oncall_desk:sent", "crisis:playbooks"])
def test_it_does_not_scroll_sideways_on_a_phone(sign_in, desk_people, live_server, page_name):
    page = sign_in(desk_people["commander"], viewport=PHONE)
    page.goto(f"{live_server.url}{reverse(page_name)}")
    _add_coming_links(page)
    assert _scroll_width(page) <= PHONE["width"]
    page.get_by_text("Menu", exact=True).click()
    assert page.get_by_role("link", name="Analytics").is_visible()
    assert _scroll_width(page) <= PHONE["width"]


def test_it_reaches_every_link_from_the_phone_menu(sign_in, desk_people, live_server, tmp_path):
    page = sign_in(desk_people["commander"], viewport=PHONE)
    nav = page.locator(".site-header nav")
    assert not nav.is_visible()
    header = _box(page, ".site-header")
    assert header["height"] < 60  # closed: one short bar, the page starts right under it
    page.get_by_text("Menu", exact=True).click()
    for link in nav.locator("a").all():
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 32  # a thumb-sized target
    page.screenshot(path=tmp_path / "header-390-open.png")
    nav.get_by_role("link", name="Analytics").click()
    page.wait_for_url(f"{live_server.url}{reverse('reports:analytics')}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_draws_the_room_chart_labels_at_a_readable_size(sign_in, desk_people, org, live_server, viewport):
    people = desk_people
    incident = incident_open(organization=org, actor=people["commander"], title="Phone smoking on a train",
                             first_public_signal_at=timezone.now() - timedelta(hours=2), severity=2)
    for minutes, share in ((100, 0.2), (60, 0.5), (10, 0.35)):
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Weibo",
                                    measured_at=timezone.now() - timedelta(minutes=minutes),
                                    negative_share=share, mention_volume=1200)
    page = sign_in(people["viewer"], viewport=viewport)
    page.goto(f"{live_server.url}{reverse('crisis:incident-room', args=[incident.pk])}")
    labels = page.evaluate("""() => {
        const svg = document.querySelector('#sentiment-chart svg').getBoundingClientRect();
        return [...document.querySelectorAll('#sentiment-chart svg text')]
            .filter(t => getComputedStyle(t).display !== 'none')
            .map(t => { const r = t.getBoundingClientRect();
                        return {text: t.textContent, height: r.height,
                                inside: r.left >= svg.left - 1 && r.right <= svg.right + 1}; });
    }""")
    assert len(labels) >= 8
    # A label's box is about 1.2 times its type: 13 px boxes are 11 px type, the least a tired eye reads.
    assert min(label["height"] for label in labels) >= 13, labels
    assert [label["text"] for label in labels if not label["inside"]] == []  # none cut at the chart's edges
    assert _scroll_width(page) <= viewport["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_shows_the_compliance_chart_whole_at_either_size(sign_in, desk_people, org, live_server, viewport):
    incident = IncidentFactory(organization=org, first_public_signal_at=T0, detected_at=T0)
    for key, state, met_at in (("acknowledge", "met", T0), ("holding-statement", "breached", None)):
        DeadlineFactory(incident=incident, step_key=key, name="Sentiment checkpoint every 30 minutes (first 4 hours)",
                        due_at=T0 + timedelta(minutes=30), state=state, met_at=met_at)
    page = sign_in(desk_people["viewer"], viewport=viewport)
    page.goto(f"{live_server.url}{reverse('reports:analytics')}")
    chart = page.get_by_role("img", name="Golden-4-hours compliance: deadlines by step")
    assert chart.count() == 1  # the other drawing is hidden, out of the accessibility tree too
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    for word in ("on time", "late", "missed"):
        legend = chart.locator("text", has_text=word).first.bounding_box()
        assert legend["x"] + legend["width"] <= box["x"] + box["width"] + 1
        assert legend["height"] >= 11  # type scaled to at least readable size
    assert _scroll_width(page) <= viewport["width"]
