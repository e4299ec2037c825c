"""Promises found in real-looking sentences, Chinese and English, against the table in extraction_cases.tsv.

Each row: a sentence, when it was published (local time in its zone), the zone, and the due time a careful
reader would note (local) or "no promise". The test prints the hit rate per language and holds a floor."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crisis.commitments.extraction import commitments_find

CASES = Path(__file__).with_name("extraction_cases.tsv")
FLOOR = 0.95


def _rows():
    for raw in CASES.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            sentence, published, zone, expected = raw.split("\t")
            yield sentence, published, zone, expected


def _local(text: str, zone: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))


def _outcome(sentence, published, zone) -> str:
    found = commitments_find(text=sentence, published_at=_local(published, zone), zone=zone)
    if not found:
        return "no promise"
    return found[0].due_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _is_chinese(sentence: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in sentence)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_it_finds_the_promises_and_their_due_times(language):
    rows = [row for row in _rows() if _is_chinese(row[0]) == (language == "zh")]
    misses = []
    for sentence, published, zone, expected in rows:
        got = _outcome(sentence, published, zone)
        if got != expected:
            misses.append(f"{sentence} | expected {expected} | got {got}")
    rate = 1 - len(misses) / len(rows)
    print(f"\n{language}: {len(rows) - len(misses)}/{len(rows)} = {rate:.0%}", *misses, sep="\n  ")
    assert len(rows) >= 30
    assert rate >= FLOOR, misses


def test_it_has_both_kinds_of_rows_in_each_language():
    rows = list(_rows())
    for language in (True, False):
        mine = [row for row in rows if _is_chinese(row[0]) == language]
        assert any(row[3] == "no promise" for row in mine)
        assert sum(row[3] != "no promise" for row in mine) >= 15


def test_a_text_with_several_promises_gives_each():
    text = "我们高度重视。我们将于今晚公布进展。我们将在24小时内向市场监管部门提交报告。"
    found = commitments_find(text=text, published_at=_local("2026-12-02 10:00", "Asia/Shanghai"),
                             zone="Asia/Shanghai")
    assert [f.audience for f in found] == ["public", "regulator"]
    assert found[1].phrase == "24小时内"


def test_it_names_the_outlet_it_promised():
    found = commitments_find(text="我们将在今晚八点前回复《财新》的提问。",
                             published_at=_local("2026-12-02 10:00", "Asia/Shanghai"), zone="Asia/Shanghai")
    assert (found[0].audience, found[0].audience_name) == ("media", "财新")


def test_an_empty_text_promises_nothing():
    assert commitments_find(text="", published_at=_local("2026-12-02 10:00", "UTC"), zone="UTC") == []
