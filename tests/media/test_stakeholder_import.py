"""Importing a stakeholder list from a spreadsheet: every row checked first, all rows or none, re-import idempotent."""

import time

import pytest

from crisis.media.models import Stakeholder
from crisis.media.services.stakeholder_import import stakeholders_import
from crisis.media.stakeholder_csv import MAX_ROWS
from crisis.models import AuditEntry
from crisis.services.errors import InvalidInput

pytestmark = pytest.mark.django_db

GOOD = """name,outlet,kind,channel,language,email,phone,handle,tags,notes
李娜,财新,journalist,email,zh-hans,li.na@caixin.example,,,press;财经,
Tom Reed,Reuters,Journalist,wechat,en,tom.reed@reuters.example,,tomreed,press,Asia desk
Market regulator desk,SAMR,regulator,phone,zh-hans,,+86 10 0000 0000,samr-press,regulators,
"""
CHINESE = """姓名,机构,类型,渠道,语言,邮箱,电话,账号,标签,备注
王芳,新京报,记者,微信,中文,wang.fang@bjnews.example,,,媒体、北京,跑突发
数码博主老张,,意见领袖,微博,中文,,,@laozhang,KOL,
"""


def imported(org, people, text):
    return stakeholders_import(organization=org, actor=people["responder"], text=text)


def test_it_imports_every_row(org, people):
    result = imported(org, people, GOOD)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    tom = Stakeholder.objects.get(email="tom.reed@reuters.example")
    assert (tom.kind, tom.channel, tom.language, tom.handle, tom.tags) == ("journalist", "wechat", "en", "tomreed",
                                                                          ["press"])
    assert Stakeholder.objects.get(name="李娜").tags == ["press", "财经"]
    assert AuditEntry.objects.get(action="stakeholder.import").changes == {"created": 3, "updated": 0, "unchanged": 0}


def test_importing_the_same_file_again_changes_nothing(org, people):
    imported(org, people, GOOD)
    again = imported(org, people, GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Stakeholder.objects.count() == 3
    assert set(Stakeholder.objects.values_list("version", flat=True)) == {1}


def test_a_changed_row_updates_the_entry_it_matches_by_email_or_handle(org, people):
    imported(org, people, GOOD)
    changed = GOOD.replace("Reuters,Journalist", "Reuters China,Journalist").replace(
        "Market regulator desk,SAMR", "SAMR press office,SAMR")
    result = imported(org, people, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    assert Stakeholder.objects.get(handle="samr-press").name == "SAMR press office"
    assert Stakeholder.objects.get(email="tom.reed@reuters.example").version == 2


def test_it_reads_utf8_with_a_byte_order_mark(org, people):
    result = imported(org, people, "\ufeff" + GOOD)
    assert result.created == 3


def test_it_reads_chinese_headers_and_values(org, people):
    result = imported(org, people, "\ufeff" + CHINESE)
    assert result.created == 2
    wang = Stakeholder.objects.get(email="wang.fang@bjnews.example")
    assert (wang.kind, wang.channel, wang.language, wang.tags, wang.notes) == (
        "journalist", "wechat", "zh-hans", ["媒体", "北京"], "跑突发")
    assert Stakeholder.objects.get(handle="@laozhang").kind == "kol"


def test_it_names_every_bad_cell_by_line_and_column_and_writes_nothing(org, people):
    bad = GOOD + "Nobody,,spy,fax,klingon,no-at-sign,,,,\n,,journalist,email,en,x@y.example,,,,\n"
    with pytest.raises(InvalidInput) as refused:
        imported(org, people, bad)
    fields = refused.value.fields
    assert set(fields) == {"line_5.kind", "line_5.channel", "line_5.language", "line_5.email", "line_6.name"}
    assert "spy" in fields["line_5.kind"][0]
    assert "line_5" in refused.value.message
    assert not Stakeholder.objects.exists()
    assert not AuditEntry.objects.filter(action="stakeholder.import").exists()


def test_it_refuses_a_row_it_could_not_match_again_and_a_person_twice(org, people):
    text = ("name,kind,email,handle\nNo contact,kol,,\nLi,journalist,li@x.example,\n"
            "Li again,journalist,LI@x.example,\n")
    with pytest.raises(InvalidInput) as refused:
        imported(org, people, text)
    assert set(refused.value.fields) == {"line_2.email", "line_4.email"}
    assert "line 3" in refused.value.fields["line_4.email"][0]


@pytest.mark.parametrize("text, field", [
    ("", "csv"),
    ("name,kind,email\n", "csv"),
    ("name,kind,email,favourite_colour\nA,kol,a@x.example,blue\n", "line_1.header"),
    ("name,email\nA,a@x.example\n", "line_1.header"),
    ("name,kind\nA,kol\n", "line_1.header"),
    ("name,kind,email\nA,kol,a@x.example,extra\n", "line_2.row"),
    ("name,kind,email\nA\x00,kol,a@x.example\n", "line_2.row"),
])
def test_it_refuses_a_malformed_file(org, people, text, field):
    with pytest.raises(InvalidInput) as refused:
        imported(org, people, text)
    assert field in refused.value.fields
    assert not Stakeholder.objects.exists()


def test_it_imports_two_thousand_rows_quickly_and_again_as_unchanged(org, people):
    rows = "".join(f"记者{i},媒体{i % 50},journalist,email,zh-hans,r{i}@press.example,,,press;batch{i % 7},\n"
                   for i in range(2000))
    text = "\ufeffname,outlet,kind,channel,language,email,phone,handle,tags,notes\n" + rows
    started = time.perf_counter()
    assert imported(org, people, text).created == 2000
    assert imported(org, people, text).unchanged == 2000
    assert time.perf_counter() - started < 15
    assert Stakeholder.objects.count() == 2000


def test_it_refuses_more_rows_than_it_takes_at_once(org, people):
    rows = "".join(f"P{i},kol,p{i}@x.example\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(InvalidInput) as refused:
        imported(org, people, "name,kind,email\n" + rows)
    assert "csv" in refused.value.fields
    assert not Stakeholder.objects.exists()
