"""Keyset cursors: every list is read in an order that ends in the primary key, and a cursor is the sort key
of the row it stops at.

DRF's CursorPagination keys on the first ordering field alone and steps over ties with an offset that it caps
at 1,000: on a timeline where more than a thousand events share one instant (an incident logged hours late
breaches every passed deadline at the same moment) the offset stops growing and the same ``next`` cursor
comes back for ever. Comparing the whole key, ``(occurred_at, id) > (t, 42)``, needs no offset: every row is
returned exactly once, however many share a timestamp, forwards and backwards, while new rows keep arriving.
"""

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from crisis.services.errors import InvalidInput
from crisis.services.validation import moment_in_utc

# A cursor holds one row's sort key; anything longer was not made here.
CURSOR_MAX_LENGTH = 2_000
# A page size as the schema says it: a whole number in digits. Nine of them are plenty to be refused as too
# large, and few enough that int() is cheap (a 5,000-digit string would exceed Python's conversion limit).
PAGE_SIZE_DIGITS = re.compile(r"[0-9]{1,9}")
# Ids outside PostgreSQL's bigint are nobody's row; the database would refuse to compare them.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class KeyPart:
    """One field of the sort key: its model field (to check and parse cursor values) and its direction."""

    name: str
    field: models.Field
    is_descending: bool

    @property
    def order_by(self) -> str:
        return f"-{self.name}" if self.is_descending else self.name


def sort_key(model: type[models.Model], ordering: Sequence[str]) -> tuple[KeyPart, ...]:
    """The ordering as a key that identifies a row: the primary key is appended if it is not there.

    Only plain non-null columns can be keyed: NULLs sort first on SQLite and last on PostgreSQL, and a
    comparison with NULL is never true, so a row with one would be skipped.
    """
    parts: list[KeyPart] = []
    for entry in ordering:
        name = entry.lstrip("-")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if not field.concrete or field.null or field.is_relation:
            raise ImproperlyConfigured(f"{model.__name__}.{name} cannot be part of a cursor: it must be a "
                                       "non-null column of the model.")
        parts.append(KeyPart(field.attname, field, entry.startswith("-")))
    if not any(part.field.primary_key for part in parts):
        last_descending = parts[-1].is_descending if parts else False
        parts.append(KeyPart(model._meta.pk.attname, model._meta.pk, last_descending))
    return tuple(parts)


def after(parts: Sequence[KeyPart], values: Sequence[Any], *, backwards: bool) -> Q:
    """Rows strictly after the position ``values`` in the key's order (strictly before it when ``backwards``).

    ``(a, b) > (x, y)`` written as ``a >= x AND (a > x OR (a = x AND b > y))``: the outer bound lets the
    database walk an index on ``a`` instead of testing every row against the disjunction.
    """
    first, value = parts[0], values[0]
    beyond = "lt" if first.is_descending != backwards else "gt"
    strictly = Q(**{f"{first.name}__{beyond}": value})
    if len(parts) == 1:
        return strictly
    tie = Q(**{first.name: value}) & after(parts[1:], values[1:], backwards=backwards)
    return Q(**{f"{first.name}__{beyond}e": value}) & (strictly | tie)


@dataclass(frozen=True)
class Cursor:
    position: tuple[Any, ...]
    is_backwards: bool


def cursor_encode(cursor: Cursor) -> str:
    values = [value.isoformat() if isinstance(value, datetime) else value for value in cursor.position]
    raw = json.dumps({"p": values, "b": cursor.is_backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(token: str, parts: Sequence[KeyPart]) -> Cursor:
    """The cursor in ``token``, its values parsed by their model fields; ValueError for anything else."""
    if len(token) > CURSOR_MAX_LENGTH:
        raise ValueError("too long")
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(data, dict) or not isinstance(data.get("b"), bool):
        raise ValueError("not a cursor")
    values = data.get("p")
    if not isinstance(values, list) or len(values) != len(parts):
        raise ValueError("not a cursor for this list")
    return Cursor(tuple(_parse(part, value) for part, value in zip(parts, values, strict=True)), data["b"])


def _parse(part: KeyPart, value: Any) -> Any:
    if value is None or isinstance(value, bool | float | dict | list):
        raise ValueError("not a key value")
    if isinstance(part.field, models.DateTimeField):
        if not isinstance(value, str):
            raise ValueError("not a time")
        try:
            parsed = part.field.to_python(value)
        except ValidationError as exc:
            raise ValueError("not a time") from exc
        if parsed is None or parsed.tzinfo is None:
            raise ValueError("not an aware time")
        return moment_in_utc(parsed)  # a hand-made offset the database refuses is a bad cursor, not a 500
    if isinstance(part.field, models.IntegerField):
        if not isinstance(value, int) or not BIGINT_MIN <= value <= BIGINT_MAX:
            raise ValueError("not an id")
        return value
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


class ApiCursorPagination(CursorPagination):
    """Keyset cursor pagination over each list view's ``ordering`` (plus the primary key), in both directions.

    ``next`` continues after the page's last row, ``previous`` goes back from its first: a reader who
    follows either sees every row once, in order, even as a busy timeline keeps growing under them.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-id",)
    template = None
    invalid_cursor_message = _("This cursor is not one this list gave out; start again without it.")
    invalid_page_size_message = _("A page holds 1 to %(n)d rows: give a whole number in that range.")

    def get_page_size(self, request) -> int:
        """The asked page size, or the default; DRF's would silently use the default for "null" or 10,000."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return type(self).page_size
        if not PAGE_SIZE_DIGITS.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise InvalidInput(str(self.invalid_page_size_message) % {"n": self.max_page_size},
                               field=self.page_size_query_param)
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                # Opaque: only a cursor this list gave out is valid (anything else is a 400), which no schema can say;
                # this says at least what one looks like.
                parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": CURSOR_MAX_LENGTH,
                                       "pattern": "^[A-Za-z0-9_-]+$"}
                parameter["description"] = str(_("The next or previous link of a page gives it; never made by hand."))
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = str(_("Rows per page (default %(d)d).") % {"d": type(self).page_size})
        return parameters

    def get_ordering(self, request, queryset, view):
        # Each list view says its own order (a timeline reads forward, incidents newest first).
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.key = sort_key(queryset.model, self.get_ordering(request, queryset, view))
        self.cursor = self.decode_cursor(request)
        backwards = self.cursor is not None and self.cursor.is_backwards
        order = [part.order_by for part in self.key]
        if backwards:
            # Read back from the position nearest first, then turn the page the right way round.
            order = [name[1:] if name.startswith("-") else f"-{name}" for name in order]
        queryset = queryset.order_by(*order)
        if self.cursor is not None:
            queryset = queryset.filter(after(self.key, self.cursor.position, backwards=backwards))
        rows = list(queryset[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if backwards:
            self.page.reverse()
            # A backward cursor was made from a row that is still after this page.
            self.has_next, self.has_previous = True, has_more
        else:
            self.has_next, self.has_previous = has_more, self.cursor is not None
        if not self.page:
            # Only a stale or hand-made cursor points past the end: there is nowhere to go from it.
            self.has_next = self.has_previous = False
        return self.page

    def decode_cursor(self, request) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            return cursor_decode(token, self.key)
        except ValueError as exc:
            raise InvalidInput(str(self.invalid_cursor_message), field=self.cursor_query_param) from exc

    def _position(self, row) -> tuple[Any, ...]:
        return tuple(getattr(row, part.name) for part in self.key)

    def _link(self, cursor: Cursor) -> str:
        return replace_query_param(self.base_url, self.cursor_query_param, cursor_encode(cursor))

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return self._link(Cursor(self._position(self.page[-1]), is_backwards=False))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        return self._link(Cursor(self._position(self.page[0]), is_backwards=True))
