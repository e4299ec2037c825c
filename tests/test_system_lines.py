"""System lines are stored as a key and parameters and read in the reader's language (crisis/system_lines.py)."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import translation

from crisis.models import EventKind, TimelineEvent
from crisis.system_lines import LINES, UnknownLine, english, joined, line, line_english, line_render, lines, msgid, span
from tests.deadline_helpers import T0, by_step

backfill_migration = importlib.import_module("crisis.migrations.0008_system_lines_backfill")
PLACEHOLDER = re.compile(r"%\((\w+)\)[+]?(?:\.\d+)?([sdf])")
STEP = "Acknowledge and assemble the response team"


PLURAL_SAMPLES = {"page.title.logged_late": {"n": 2, "title": "Wang Fang"},
                  "page.body.logged_late_passed": {"n": 2, "name": "Wang Fang"}}


def sample_params(key: str) -> dict:
    template = LINES[key]
    if template.count:
        return PLURAL_SAMPLES[key]
    params = {}
    for name, kind in PLACEHOLDER.findall(english(template.text)):
        params[name] = {"d": 3, "f": 42.0, "s": "Wang Fang"}[kind]
    return params


def translated(text: str) -> bool:
    with translation.override("zh-hans"):
        return translation.gettext(text) != text


@pytest.mark.parametrize("key", sorted(LINES))
def test_it_renders_each_key_in_english_and_in_chinese(key):
    message = line(key, **sample_params(key))
    template = LINES[key]
    english_text = line_english(message)
    if not template.count:
        assert english_text == english(template.text) % sample_params(key)
    chinese = line_render(message, "zh-hans")
    if template.count or translated(english(template.text)):
        assert chinese != english_text
        assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    else:  # only the pieces that arrange other pieces are the same in every language
        assert key in {"lines", "statement.label"}


def test_it_counts_in_the_plural_form_of_each_language():
    one = line("page.title.logged_late", n=1, title="手机冒烟")
    two = line("page.title.logged_late", n=2, title="手机冒烟")
    assert line_english(one) == "Logged late: 1 deadline already missed on 手机冒烟"
    assert line_english(two) == "Logged late: 2 deadlines already missed on 手机冒烟"
    assert "2" in line_render(two, "zh-hans") and "Logged" not in line_render(two, "zh-hans")


def test_it_translates_a_step_name_when_read_and_keeps_what_people_wrote():
    message = line("deadline.waived", name=msgid(STEP), r="The railway asked us to wait")
    assert line_english(message) == f"Deadline waived: {STEP}. Reason: The railway asked us to wait"
    chinese = line_render(message, "zh-hans")
    assert STEP not in chinese
    assert "The railway asked us to wait" in chinese  # a person's words are never translated


def test_it_renders_nested_lines_joined_pieces_and_spans():
    message = lines(line("incident.status_changed", a=msgid("Active"), b=msgid("Resolved")), "备注")
    assert line_english(message) == "Status changed from Active to Resolved. 备注"
    assert line_render(message, "zh-hans").startswith("状态已从")
    surge = line("sentiment.surge", why=joined([line("surge.negative_jumped", r=2.0)], "; "), s=2, m=30)
    assert "negative share jumped ×2.0" in line_english(surge)
    # An old row still carries the surge's own severity guess (s=2); the line no longer says it, so that the
    # sentiment level's suggestion is the only one (crisis.listening).
    assert "SEV" not in line_english(surge) and "SEV" not in line_render(surge, "zh-hans")
    assert "negative" not in line_render(surge, "zh-hans")
    late = line("deadline.met", name=msgid(STEP), late=line("entered_later", span=span(65)))
    assert line_english(late) == f"Deadline met: {STEP} (entered 1 h 5 min later)."
    assert "1 小时 5 分钟" in line_render(late, "zh-hans")


def test_it_renders_in_the_active_language_by_default():
    message = line("incident.acknowledged")
    with translation.override("zh-hans"):
        assert line_render(message) == translation.gettext("Incident acknowledged.")
    assert line_render(message) == "Incident acknowledged."


def test_it_refuses_a_key_it_does_not_know_when_writing():
    with pytest.raises(UnknownLine):
        line("deadline.mett")


def test_it_shows_the_english_body_for_a_line_it_cannot_read():
    assert TimelineEvent(body="Old words.", message={"key": "retired.key", "params": {}}).text == "Old words."
    assert TimelineEvent(body="Old words.", message={"key": "deadline.met", "params": {}}).text == "Old words."
    assert TimelineEvent(body="我们已联系铁路。", message=None).text == "我们已联系铁路。"


@pytest.mark.django_db
def test_it_stores_english_and_the_key_whatever_the_writers_language(incident_at_t0, people):
    from crisis.services.deadlines import deadline_waive

    incident = incident_at_t0()
    with translation.override("zh-hans"):
        deadline_waive(deadline=by_step(incident)["stakeholder-briefing"], actor=people["commander"], reason="无需")
    event = incident.events.filter(message__key="deadline.waived").get()
    assert event.body == "Deadline waived: Stakeholder briefing (internal statement). Reason: 无需"
    with translation.override("zh-hans"):
        assert "Stakeholder" not in event.text and "无需" in event.text


@pytest.mark.django_db
def test_it_reads_a_late_entered_back_dated_fact_in_each_language(incident_at_t0, people, at):
    from crisis.services.deadlines import deadline_mark_met

    incident = incident_at_t0()
    at(50)  # done at T0+12, entered 38 minutes later
    deadline_mark_met(deadline=by_step(incident)["acknowledge"], actor=people["commander"], note="已确认",
                      happened_at=T0 + timedelta(minutes=12))
    event = incident.events.get(message__key="deadline.met")
    assert event.occurred_at == T0 + timedelta(minutes=12)
    assert event.body == f"Deadline met: {STEP} (entered 38 min later)."
    with translation.override("zh-hans"):
        assert event.text.startswith("已按时完成") and "38 分钟后录入" in event.text
        assert "entered" not in event.text and STEP not in event.text


@pytest.mark.django_db
def test_it_backfills_old_english_lines_and_leaves_the_rest(incident_at_t0, people):
    incident = incident_at_t0()
    now = incident.created_at
    old = {
        "met": f"Deadline met: {STEP} (entered 2 h later).",
        "paged": "Paged Wang Fang (level 1).",
        "status": "Status changed from Active to Contained. 铁路方已确认",
        "person": "We called the railway.",
        "chinese": "已呼叫 王芳（第 1 层）。",
    }
    rows = {name: TimelineEvent.objects.create(incident=incident, kind=EventKind.NOTE, body=body, occurred_at=now,
                                               recorded_at=now) for name, body in old.items()}
    backfill_migration.backfill(apps, None)
    for row in rows.values():
        row.refresh_from_db()
    assert rows["met"].message["key"] == "deadline.met"
    assert rows["paged"].message == {"key": "page.paged", "params": {"who": "Wang Fang", "n": 1}}
    assert rows["person"].message is None and rows["chinese"].message is None
    for name in ("met", "paged", "status"):
        assert line_english(rows[name].message) == old[name]  # read back exactly as it was written
    with translation.override("zh-hans"):
        assert rows["met"].text.startswith("已按时完成") and "2 小时后录入" in rows["met"].text
        assert rows["status"].text.startswith("状态已从") and rows["status"].text.endswith("铁路方已确认")
        assert rows["person"].text == "We called the railway."


def test_it_matches_nothing_for_empty_or_huge_text():
    assert backfill_migration.match("") is None
    assert backfill_migration.match("x" * 20_000) is None
    huge = "Paged " + "王芳, " * 2000 + "李雷 (level 2)."
    assert backfill_migration.match(huge)["params"]["n"] == 2


@pytest.mark.django_db
def test_it_backfills_old_pages_titles_and_leaves_hand_written_ones(org):
    from django.utils import timezone

    from crisis.oncall.models import Page

    page_backfill = importlib.import_module("crisis.oncall.migrations.0007_page_message_backfill")
    now = timezone.now()
    missed = Page.objects.create(organization=org, dedup_key="old:1", source="breach", triggered_at=now,
                                 title=f"Missed: {STEP}", body=f"{STEP} was due at 02:15 and has not been done.")
    by_hand = Page.objects.create(organization=org, dedup_key="old:2", source="manual", triggered_at=now,
                                  title="Legal approver needed now", body="Call me")
    page_backfill.backfill(apps, None)
    missed.refresh_from_db()
    by_hand.refresh_from_db()
    assert missed.message["title"]["key"] == "page.title.missed"
    assert missed.message["body"]["key"] == "page.body.missed"
    assert by_hand.message == {}
    with translation.override("zh-hans"):
        assert missed.text_title.startswith("已超时：") and STEP not in missed.text_title
        assert by_hand.text_title == "Legal approver needed now" and by_hand.text_body == "Call me"
