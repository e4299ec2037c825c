"""Sentiment checkpoints from a listening tool's CSV export: parsed per row, errors named per row."""

import csv
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from crisis.models.zones import wall_time_aware
from crisis.services.errors import InvalidInput
from crisis.services.sentiment import sentiment_validate
from crisis.services.validation import FieldErrors, check_happened_at

INTEGER_COLUMNS = ("mention_volume", "reach", "follower_change", "trending_rank", "livestream_comment_count",
                   "hot_search_minutes")
FLOAT_COLUMNS = ("negative_share", "neutral_share", "positive_share", "share_price_move_pct",
                 "livestream_negative_share")
TEXT_COLUMNS = ("source", "notes")
KNOWN_COLUMNS = ("measured_at", *TEXT_COLUMNS, *INTEGER_COLUMNS, *FLOAT_COLUMNS)
MAX_ROWS = 5000
NUL = "\x00"
SHOWN_VALUE_MAX = 60  # characters of an unreadable value repeated in its error

# Python's csv reader refuses a cell over 131,072 characters with csv.Error (a 500 here once). The limit is one
# setting for the whole process, so it is raised only while a preview reads its text, one preview at a time.
_field_limit_lock = threading.Lock()


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    with _field_limit_lock:
        previous = csv.field_size_limit(limit)
        try:
            yield
        finally:
            csv.field_size_limit(previous)


@dataclass
class CsvRow:
    number: int  # as a spreadsheet counts: the header is line 1
    raw: dict[str, str]
    values: list[str] = field(default_factory=list)  # the cells under the header, for the preview table
    point: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvPreview:
    columns: list[str]
    rows: list[CsvRow]
    errors: list[str]  # about the file as a whole

    @property
    def is_valid(self) -> bool:
        return not self.errors and all(not row.errors for row in self.rows)

    @property
    def points(self) -> list[dict[str, Any]]:
        return [row.point for row in self.rows]


def _moment(value: str, zone: str) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        # A bare wall-clock time is read in the incident's zone, as people in the room would read it; one the
        # clocks skipped that night is not a time at all.
        moment = wall_time_aware(moment, zone)
        if moment is None:
            raise ValueError(value)
    return moment


def _share(value: str) -> float:
    text = value.strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def _parse_row(row: CsvRow, zone: str, first_public_signal_at: datetime | None) -> None:
    # The database refuses NUL in text (PostgreSQL) and nothing a person typed holds one: a broken export.
    row.errors.extend(_("%(column)s: contains a NUL character (byte 0), which text cannot hold.") % {"column": column}
                      for column, value in row.raw.items() if NUL in (value or ""))
    if row.errors:
        return
    for column, value in row.raw.items():
        value = (value or "").strip()
        if column not in KNOWN_COLUMNS or (not value and column != "source"):
            continue
        try:
            if column == "measured_at":
                row.point[column] = _moment(value, zone)
            elif column in INTEGER_COLUMNS:
                row.point[column] = int(value.replace(",", ""))
            elif column in FLOAT_COLUMNS:
                row.point[column] = _share(value) if column.endswith("_share") else float(value)
            else:
                row.point[column] = value
        except ValueError:
            shown = value if len(value) <= SHOWN_VALUE_MAX else value[:SHOWN_VALUE_MAX] + "…"
            row.errors.append(_("%(column)s: %(value)r is not readable.") % {"column": column, "value": shown})
    if row.errors:
        return
    try:
        sentiment_validate(row.point)
        if first_public_signal_at is not None:
            # The same check the service makes when the rows are recorded, shown on the row it is about.
            errors = FieldErrors()
            check_happened_at(errors, "measured_at", row.point.get("measured_at"),
                              first_public_signal_at=first_public_signal_at)
            errors.raise_if_any()
    except InvalidInput as exc:
        row.errors.extend(f"{name}: {reason}" for name, reasons in exc.fields.items() for reason in reasons)


def csv_preview(text: str, *, zone: str, first_public_signal_at: datetime | None = None) -> CsvPreview:
    """Each row parsed (bare times read in ``zone``) and checked as the service will check it.

    Every cell reaches the checks whatever its length (the request size bounds the text), so that a cell too
    long or otherwise wrong is named by its line and column here, rather than failing when the rows are recorded.
    """
    with _csv_field_limit(max(len(text) + 1, csv.field_size_limit())):
        return _preview(csv.DictReader(io.StringIO(text)), zone, first_public_signal_at)


def _preview(reader: csv.DictReader, zone: str, first_public_signal_at: datetime | None) -> CsvPreview:
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    errors = []
    if any(NUL in column for column in columns):
        errors.append(_("The header contains a NUL character (byte 0), which text cannot hold."))
    missing = {"measured_at", "source"} - set(columns)
    if missing:
        errors.append(_("Missing columns: %(c)s.") % {"c": ", ".join(sorted(missing))})
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        errors.append(_("Unknown columns (ignored is not safe, so rejected): %(c)s.") % {"c": ", ".join(unknown)})
    rows = []
    for number, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            errors.append(_("More than %(n)d rows; split the file.") % {"n": MAX_ROWS})
            break
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        cells = {k: v for k, v in raw.items() if k is not None}
        row = CsvRow(number=number, raw=cells, values=[cells.get(c) or "" for c in columns])
        if None in raw:
            row.errors.append(_("This row has more cells than the header."))
        if not errors:
            _parse_row(row, zone, first_public_signal_at)
        rows.append(row)
    if not rows and not errors:
        errors.append(_("The file has no data rows."))
    return CsvPreview(columns=columns, rows=rows, errors=errors)
