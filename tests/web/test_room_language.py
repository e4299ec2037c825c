"""Every screen in the reader's language: the room in 简体中文 has no English system text, whatever kind of
line the desk wrote; a URL without a language prefix follows the reader's cookie and Accept-Language."""

import html
import importlib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from crisis.models import Breach, TimelineEvent
from crisis.oncall.demo import oncall_demo_setup
from crisis.oncall.links import ack_url
from crisis.oncall.models import Delivery, Page
from crisis.system_lines import line_english, line_render
from tests.deadline_helpers import T0, by_step
from tests.test_i18n import CATALOGUE, PRINTF, parse_po

pytestmark = pytest.mark.django_db
backfill_migration = importlib.import_module("crisis.migrations.0008_system_lines_backfill")

HOLDING = "我们已关注到网传视频，正在与铁路部门联系核实，将于今晚公布进展。"


def build_every_line(org, people, incident_at_t0, at):
    """An incident that went through every kind of system line: opened, deadlines missed, paged,
    acknowledged, met late and back-dated, extended, waived, sentiment points and a surge, a correction,
    a statement drafted to published, severity and status changes, post-mortem and action items."""
    from crisis.oncall.services.pages import page_acknowledge
    from crisis.reports.services import action_item_create, postmortem_update
    from crisis.services import deadlines, incidents, sentiment, statements, timeline
    from crisis.timers import tasks
    from crisis.timers.sweeper import deadlines_breach_due

    users = {"responder": people["responder"], "approver2": people["approver"], "commander": people["commander"]}
    oncall_demo_setup(organization=org, users=users, now=T0)
    incident = incident_at_t0(title="流明S7手机列车冒烟", commander=people["commander"])

    deadlines_breach_due(now=at(16))  # acknowledge was due at T0+15
    tasks.breaches_dispatch(list(Breach.objects.filter(incident=incident).values_list("pk", flat=True)))
    page_acknowledge(page=Page.objects.filter(incident=incident).first(), actor=people["responder"])
    at(40)  # entered now, done at T0+18: met late, back-dated, entered later
    deadlines.deadline_mark_met(deadline=by_step(incident)["acknowledge"], actor=people["commander"], note="已集结",
                                happened_at=T0 + timedelta(minutes=18))
    sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=at(41),
                                          source="weibo", negative_share=0.41, mention_volume=1800)
    point = sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=at(45),
                                                  source="weibo", negative_share=0.72, mention_volume=5200)
    sentiment.sentiment_checkpoint_correct(checkpoint=point, actor=people["responder"], reason="数据源更正",
                                           mention_volume=5100)
    timeline.timeline_event_log(incident=incident, actor=people["responder"], body="铁路方已确认无人受伤。")
    statement = statements.statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                            kind="holding", body=HOLDING, language="zh-hans")
    statements.statement_submit_for_review(statement=statement, actor=people["responder"])
    statements.statement_approve(statement=statement, actor=people["approver"])
    statements.statement_publish(statement=statement, actor=people["commander"], public_url="https://weibo.com/1")
    incident.refresh_from_db()
    incidents.incident_change_severity(incident=incident, actor=people["commander"], severity=1, reason="热搜第三")
    deadlines.deadline_extend(deadline=by_step(incident)["stakeholder-briefing"], actor=people["commander"],
                              minutes=30, reason="等法务")
    deadlines.deadline_waive(deadline=by_step(incident)["full-statement"], actor=people["commander"],
                             reason="已并入说明")
    incident.refresh_from_db()
    postmortem_update(incident=incident, actor=people["commander"], expected_version=0, summary="概述",
                      root_cause="电池")
    action_item_create(incident=incident, actor=people["commander"], title="召回三台设备")
    at(70)
    deadlines_breach_due(now=at(70))
    incident.refresh_from_db()
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="contained",
                                  note="已下架")
    incident.refresh_from_db()
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved",
                                  confirmed={"open_items"})
    return incident


@pytest.fixture
def every_line(org, people, incident_at_t0, at):
    return build_every_line(org, people, incident_at_t0, at)


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def english_pieces() -> dict[str, list[str]]:
    """For each msgid that Chinese translates differently: its literal words between placeholders, the
    pieces that would show if the line were left in English (two words or more, so that a name or a
    unit is not mistaken for a sentence)."""
    _header, entries = parse_po(CATALOGUE)
    pieces = {}
    for entry in entries:
        if not entry.msgstr or entry.msgstr.get(0) == entry.msgid:
            continue
        words = [p.strip(" .,:;()") for p in PRINTF.split(entry.msgid)]
        words = [p for p in words if len(re.findall(r"[A-Za-z]{2,}", p)) >= 2]
        if words:
            pieces[entry.msgid] = words
    return pieces


def untranslated(text: str) -> dict[str, str]:
    found = {}
    for msgid, words in english_pieces().items():
        for piece in words:
            if re.search(r"(?<![A-Za-z])" + re.escape(piece) + r"(?![A-Za-z])", text):
                found[msgid] = piece
    return found


def test_it_wrote_every_kind_of_system_line(every_line):
    keys = set(every_line.events.filter(message__isnull=False).values_list("message__key", flat=True))
    for key in ("deadline.missed", "deadline.met_late", "deadline.met", "deadline.extended", "deadline.waived",
                "deadline.cancelled", "page.opened", "page.paged", "page.acknowledged", "page.resolved",
                "sentiment.point", "sentiment.surge", "sentiment.corrected", "statement.drafted",
                "statement.submitted", "statement.approved", "statement.published", "lines", "postmortem.edited",
                "action_item.added"):
        assert key in keys, key
    written_by_people = every_line.events.filter(message__isnull=True).values_list("body", flat=True)
    assert list(written_by_people) == ["铁路方已确认无人受伤。"]


def test_it_renders_the_room_in_chinese_without_english_system_text(client_for, people, every_line):
    with translation.override("zh-hans"):
        url = reverse("crisis:incident-room", args=[every_line.pk])
    assert url.startswith("/zh-hans/")
    text = visible_text(client_for(people["viewer"]).get(url).content.decode())
    assert "已超时" in text or "未按时" in text
    assert untranslated(text) == {}
    for event in every_line.events.filter(message__isnull=False):
        with translation.override("zh-hans"):
            shown = event.text
        assert shown != event.body
        assert html.unescape(shown) in text or event.kind in ("sentiment",), shown


def test_it_renders_the_same_room_in_english_from_the_stored_english(client_for, people, every_line):
    text = visible_text(client_for(people["viewer"]).get(
        reverse("crisis:incident-room", args=[every_line.pk])).content.decode())
    met = every_line.events.get(message__key="deadline.met_late", body__contains="Acknowledge")
    assert met.body in text
    assert "entered 22 min later" in met.body  # done at T0+18, entered at T0+40


def test_it_finds_the_scanner_finds_an_english_line():
    """The scan above would catch a line left in English (it is not vacuous)."""
    assert "Deadline met: %(name)s%(late)s." in untranslated("… Deadline met: 应对团队已确认并集结. …")
    assert untranslated("已按时完成：应对团队已确认并集结。") == {}


def test_it_serves_the_rendered_line_and_its_key_in_the_api(client_for, people, every_line):
    client = client_for(people["viewer"])
    response = client.get(f"/api/v1/incidents/{every_line.pk}/events/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, response.content
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    met = next(r for r in rows if (r["message"] or {}).get("key") == "deadline.met_late")
    assert met["body"].startswith("Deadline met late:")
    assert re.search(r"[\u4e00-\u9fff]", met["text"]) and "Deadline" not in met["text"]
    person = next(r for r in rows if r["message"] is None)
    assert person["text"] == person["body"] == "铁路方已确认无人受伤。"
    english = client.get(f"/api/v1/incidents/{every_line.pk}/events/", HTTP_ACCEPT_LANGUAGE="en").json()
    english = english["results"] if isinstance(english, dict) else english
    assert all(r["text"] == r["body"] for r in english)


def test_it_documents_the_rendered_line_in_the_schema(client_for, people):
    schema = client_for(people["viewer"]).get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["TimelineEventOut"]["properties"]
    assert {"body", "text", "message"} <= set(fields)
    assert "Accept-Language" in fields["text"]["description"]


def test_it_renders_the_post_mortem_timeline_in_the_reports_language(every_line):
    from crisis.reports.assembly import report_assemble
    from crisis.reports.renderers import RENDERERS

    with translation.override("zh-hans"):
        markdown = RENDERERS["md"](report_assemble(incident=every_line))
    timeline = markdown.split("\n## ")[-1]
    assert "已按时完成" in markdown or "未按时" in markdown
    assert untranslated(timeline) == {}
    with translation.override("en"):
        assert "Deadline met late:" in RENDERERS["md"](report_assemble(incident=every_line))


# Lines whose English changed after the backfill (crisis/migrations/0008) froze its copy of the wording: a surge
# no longer suggests its own severity (the sentiment level's suggestion is the one).
REWORDED_SINCE_BACKFILL = {"sentiment.surge"}


def test_it_reads_back_every_line_the_desk_wrote_from_its_english(every_line):
    """The backfill of old rows gives the same Chinese as the line written today, for every line written here."""
    events = list(every_line.events.filter(message__isnull=False))
    for event in events:
        assert line_english(event.message) == event.body
        matched = backfill_migration.match(event.body)
        if event.message["key"] in ("statement.drafted", "statement.submitted", "statement.approved",
                                    "statement.published", "lines"):
            continue  # a statement's name is read back as it was written (its English label)
        if event.message["key"] in REWORDED_SINCE_BACKFILL:
            continue  # written today with a message; the backfill reads the wording old rows have
        assert matched is not None, event.body
        assert line_render(matched, "zh-hans") == line_render(event.message, "zh-hans"), event.body


def test_it_pages_people_in_their_organizations_language(org, people, incident_at_t0, at):
    org.language = "zh-hans"
    org.save(update_fields=["language"])
    build_every_line(org, people, incident_at_t0, at)
    delivery = Delivery.objects.order_by("id").first()
    assert delivery is not None
    assert delivery.subject.startswith("[SEV2] 已超时：确认事件并组建应对小组"), delivery.subject
    page = delivery.page
    assert page.title.startswith("Missed: ")  # the English record stays
    with translation.override("zh-hans"):
        assert page.text_title != page.title


def test_it_pages_in_english_by_default(org, people, incident_at_t0, at):
    build_every_line(org, people, incident_at_t0, at)
    delivery = Delivery.objects.order_by("id").first()
    assert delivery.subject.startswith("[SEV2] Missed: ")


# The language of URLs without a prefix (acknowledge links, bookmarks, the API).

def test_it_follows_the_language_cookie_to_a_bookmark_without_a_prefix():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/login/?next=/incidents/")
    assert (response.status_code, response["Location"]) == (302, "/zh-hans/login/?next=/incidents/")
    assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]
    assert "登录危机应对台" in client.get(response["Location"]).content.decode()


def test_it_follows_accept_language_without_a_prefix():
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9", follow=True)
    assert response.redirect_chain == [("/zh-hans/login/", 302)]
    assert "登录危机应对台" in response.content.decode()


def test_it_answers_a_form_posted_without_a_prefix_rather_than_redirect_it():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post("/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200  # the sign-in form again, with its error; not a redirect losing the body


def test_it_stays_in_english_without_a_cookie_or_accept_language():
    response = Client().get("/login/")
    assert response.status_code == 200 and "Sign in to the crisis desk" in response.content.decode()


def test_it_lets_the_prefix_win_over_the_cookie():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "登录危机应对台" in client.get("/zh-hans/login/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "Sign in to the crisis desk" not in client.get("/login/", follow=True).content.decode()


def test_it_opens_an_acknowledge_link_in_the_readers_language(org, people, incident_at_t0, at):
    build_every_line(org, people, incident_at_t0, at)
    page = Page.objects.filter(state="triggered").first() or Page.objects.first()
    link = ack_url(page_id=page.pk, user_id=people["responder"].pk)
    path = link.split("://", 1)[-1].split("/", 1)[-1]
    client = Client()
    client.force_login(people["responder"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    content = client.get("/" + path).content.decode()
    assert 'lang="zh-hans"' in content
    english = Client()
    english.force_login(people["responder"])
    assert 'lang="en"' in english.get("/" + path).content.decode()


def test_it_keeps_old_rows_without_a_key_readable(every_line):
    """A line written before system lines were kept, that the backfill could not read, shows its body."""
    event = TimelineEvent.objects.create(incident=every_line, kind="note", body="Legacy English line.",
                                         occurred_at=every_line.created_at, recorded_at=every_line.created_at)
    with translation.override("zh-hans"):
        assert event.text == "Legacy English line."
