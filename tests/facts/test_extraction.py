"""Facts found in Chinese and English text, and what each is about (crisis/facts/extraction.py)."""

import pytest

from crisis.facts.extraction import mentions_extract
from crisis.facts.matching import Reference, conflicts_find


def _values(text):
    return [(m.kind, m.value) for m in mentions_extract(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("发布会定于中午12:00举行。", [("time", "12:00")]),
    ("中午12点召开发布会", [("time", "12:00")]),
    ("发布会下午3点举行", [("time", "15:00")]),
    ("晚上8点半开通热线", [("time", "20:30")]),
    ("凌晨两点十分", [("time", "02:10")]),
    ("The briefing is at 3 p.m.", [("time", "15:00")]),
    ("The livestream starts at noon", [("time", "12:00")]),
    ("召回12月12日开始", [("date", "12-12")]),
    ("召回十二月十二日开始", [("date", "12-12")]),
    ("Recall starts 12 December", [("date", "12-12")]),
    ("Recall starts Dec. 12, 2026", [("date", "12-12")]),
    ("2026-12-12", [("date", "12-12")]),
    ("3 vehicles affected", [("count", "3 vehicle")]),
    ("三辆车受影响", [("count", "3 vehicle")]),
    ("共有3辆车受到影响", [("count", "3 vehicle")]),
    ("three cars were involved", [("count", "3 vehicle")]),
])
def test_it_reads_times_dates_and_counts(text, expected):
    assert _values(text) == expected


@pytest.mark.parametrize("text", ["我有3点意见", "Doors unlock mechanically", "", "第3版"])
def test_it_finds_nothing_where_there_is_no_comparable_fact(text):
    assert _values(text) == []


def test_it_ties_each_time_to_what_it_is_about():
    press, hotline = mentions_extract("发布会定于中午12:00举行，客服热线下午3点开通。")
    assert press.subject == {"press-conference"} and hotline.subject == {"hotline"}


def test_it_reads_chinese_and_english_subjects_as_one():
    (chinese,) = mentions_extract("发布会定于中午12:00举行")
    (english,) = mentions_extract("The press conference is at 12:00")
    assert chinese.subject == english.subject == {"press-conference"}


def _conflicts(draft, reference):
    return [(c.theirs.value, c.ours.value) for c in conflicts_find(draft, [Reference("statement", 1, "Weibo",
                                                                                      reference)])]


@pytest.mark.parametrize(("draft", "reference", "expected"), [
    ("发布会定于下午3点举行。", "发布会定于中午12:00举行。", [("12:00", "15:00")]),
    # A Chinese update opens "关于…：": what it is about, not what the time is about.
    ("关于列车上手机冒烟：我们将于今天下午3点公布调查进展。", "我们将于今天中午12点前公布调查进展。",
     [("12:00", "15:00")]),
    ("The press conference is at 3 pm.", "发布会定于中午12:00举行。", [("12:00", "15:00")]),
    ("召回将于12月15日开始", "Recall starts 12 December", [("12-12", "12-15")]),
    ("两辆车受影响", "3 vehicles affected", [("3 vehicle", "2 vehicle")]),
])
def test_it_finds_the_same_thing_said_differently(draft, reference, expected):
    assert _conflicts(draft, reference) == expected


@pytest.mark.parametrize(("draft", "reference"), [
    # Two times for two things in one text: the hotline's 15:00 is not the press conference's.
    ("发布会定于中午12:00举行，客服热线下午3点开通。", "发布会定于中午12:00举行。"),
    ("The press conference is at 12:00. Our hotline opens at 3 pm.", "Press conference at noon."),
    # The recall's end is not its start.
    ("召回将于12月12日开始，12月31日结束", "Recall starts 12 December"),
    ("Recall ends 31 December", "Recall starts 12 December"),
    # Other things counted in the same unit.
    ("2 vehicles repaired", "3 vehicles affected"),
    # A different event at a different time.
    ("The livestream starts at 8 pm", "发布会定于中午12:00举行。"),
    # A bare time, attached to nothing, is compared with nothing.
    ("12:00", "发布会定于下午3点举行。"),
    # Said the same way in other words.
    ("三辆车受影响", "3 vehicles affected"),
    ("今天中午12点，我们将召开发布会", "发布会定于12:00举行"),
])
def test_it_raises_no_false_alarm(draft, reference):
    assert _conflicts(draft, reference) == []
