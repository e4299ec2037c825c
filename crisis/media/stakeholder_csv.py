"""A stakeholder list from a spreadsheet: English or Chinese headers, UTF-8 with or without a BOM.

Every row is read and checked before anything is written; the errors name the line (as a spreadsheet counts
it: the header is line 1) and the column."""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from crisis.models import StatementLanguage
from crisis.services.errors import InvalidInput
from crisis.web.csv_import import NUL, _csv_field_limit

from .models import StakeholderChannel, StakeholderKind
from .services.stakeholders import DEFAULTS, stakeholder_errors

MAX_ROWS = 5000
MAX_ERRORS_SHOWN = 200

# Header names a spreadsheet may use, each mapped to the field it fills; matched without case or spaces.
HEADERS = {
    "name": ("name", "姓名", "名字", "联系人"),
    "outlet": ("outlet", "organization", "机构", "媒体", "单位", "所属机构"),
    "kind": ("kind", "type", "类型", "类别"),
    "channel": ("channel", "渠道", "联系方式"),
    "language": ("language", "语言"),
    "email": ("email", "e-mail", "邮箱", "电子邮件", "电子邮箱"),
    "phone": ("phone", "电话", "手机"),
    "handle": ("handle", "账号", "帐号"),
    "tags": ("tags", "标签"),
    "notes": ("notes", "备注"),
}
# Cell values a person writes in Chinese, for the columns that take a fixed set of values.
VALUE_ALIASES = {
    "kind": {"记者": StakeholderKind.JOURNALIST, "媒体": StakeholderKind.OUTLET, "监管": StakeholderKind.REGULATOR,
             "监管机构": StakeholderKind.REGULATOR, "合作伙伴": StakeholderKind.PARTNER,
             "伙伴": StakeholderKind.PARTNER,
             "意见领袖": StakeholderKind.KOL, "大v": StakeholderKind.KOL},
    "channel": {"邮件": StakeholderChannel.EMAIL, "邮箱": StakeholderChannel.EMAIL, "电话": StakeholderChannel.PHONE,
                "微信": StakeholderChannel.WECHAT, "微博": StakeholderChannel.WEIBO,
                "当面": StakeholderChannel.IN_PERSON, "其他": StakeholderChannel.OTHER},
    "language": {"中文": StatementLanguage.ZH_HANS, "简体中文": StatementLanguage.ZH_HANS,
                 "zh": StatementLanguage.ZH_HANS,
                 "英文": StatementLanguage.EN, "英语": StatementLanguage.EN, "english": StatementLanguage.EN,
                 "其他": StatementLanguage.OTHER},
}
TAG_SEPARATORS = re.compile(r"[;,；，、|]")
_HEADER_FIELD = {alias.lower(): name for name, aliases in HEADERS.items() for alias in aliases}


@dataclass(frozen=True)
class StakeholderRow:
    line: int
    fields: dict


class RowErrors:
    """Reasons keyed ``line_<n>.<column>``, so a tool can point at the cell; one InvalidInput for them all."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.count = 0

    def add(self, line: int | None, column: str, reason: str) -> None:
        self.count += 1
        if len(self.fields) < MAX_ERRORS_SHOWN:
            key = f"line_{line}.{column}" if line is not None else column
            self.fields.setdefault(key, []).append(reason)

    def raise_if_any(self) -> None:
        if self.fields:
            key, reasons = next(iter(self.fields.items()))
            raise InvalidInput(_("%(n)d problems in the file, nothing was imported. First: %(key)s: %(reason)s")
                               % {"n": self.count, "key": key, "reason": reasons[0]}, fields=self.fields)


def _header_field(header: str) -> str | None:
    return _HEADER_FIELD.get(re.sub(r"\s+", "", header.strip().lstrip("\ufeff")).lower())


def _cell_value(name: str, value: str):
    value = value.strip()
    if name == "tags":
        return [tag for tag in TAG_SEPARATORS.split(value) if tag.strip()]
    if name in VALUE_ALIASES:
        lowered = value.lower()
        return VALUE_ALIASES[name].get(lowered, lowered) if value else DEFAULTS.get(name, "")
    return value


def stakeholder_rows_read(text: str) -> list[StakeholderRow]:
    """Each data row as the fields of a stakeholder; InvalidInput naming every bad line and column."""
    errors = RowErrors()
    with _csv_field_limit(max(len(text) + 1, csv.field_size_limit())):
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = next(reader, None)
        columns = _columns(header or [], errors)
        errors.raise_if_any()
        rows = _rows(reader, columns, errors)
    errors.raise_if_any()
    return rows


def _columns(header: list[str], errors: RowErrors) -> list[str | None]:
    if not any(cell.strip() for cell in header):
        errors.add(None, "csv", _("The file is empty: the first line must name the columns."))
        return []
    columns = [_header_field(cell) for cell in header]
    unknown = [cell for cell, name in zip(header, columns, strict=True) if name is None and cell.strip()]
    if unknown:
        errors.add(1, "header", _("Unknown columns: %(c)s.") % {"c": ", ".join(unknown)})
    named = [c for c in columns if c]
    if len(named) != len(set(named)):
        errors.add(1, "header", _("A column is named twice."))
    for required in ("name", "kind"):
        if required not in named:
            errors.add(1, "header", _("Missing column: %(c)s.") % {"c": required})
    if "email" not in named and "handle" not in named:
        errors.add(1, "header", _("Give an email or a handle column: a re-import matches people on it."))
    return columns


def _rows(reader, columns: list[str | None], errors: RowErrors) -> list[StakeholderRow]:
    rows: list[StakeholderRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            errors.add(None, "csv", _("More than %(n)d rows; split the file.") % {"n": MAX_ROWS})
            break
        if len(cells) > len(columns):
            errors.add(number, "row", _("This row has more cells than the header."))
            continue
        row = _row(number, dict(zip(columns, cells, strict=False)), errors)
        if row is None:
            continue
        key = (row.fields["email"] or "").lower() or (row.fields["handle"] or "").lower()
        if key in seen:
            errors.add(number, "email" if row.fields["email"] else "handle",
                       _("The same person as on line %(n)d.") % {"n": seen[key]})
        seen.setdefault(key, number)
        rows.append(row)
    if not rows and not errors.fields:
        errors.add(None, "csv", _("The file has no data rows."))
    return rows


def _row(number: int, cells: dict, errors: RowErrors) -> StakeholderRow | None:
    if any(NUL in (value or "") for value in cells.values()):
        errors.add(number, "row", _("Contains a NUL character (byte 0), which text cannot hold."))
        return None
    fields = {**DEFAULTS, "name": "", "kind": ""}
    fields.update({name: _cell_value(name, value or "") for name, value in cells.items() if name})
    problems = stakeholder_errors(fields)
    if not (fields["email"] or fields["handle"]):
        problems.add("email", _("Give an email or a handle: a re-import matches people on it."))
    for column, reasons in problems.fields.items():
        for reason in reasons:
            errors.add(number, column, reason)
    return None if problems.fields else StakeholderRow(line=number, fields=fields)
