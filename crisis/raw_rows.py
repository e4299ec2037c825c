"""Model instances from hand-written SQL, converted exactly as the ORM would convert them.

For the few lookups on the hottest path (every API request authenticates a token; every logged
event finds its incident and the caller's role): building the SQL through the ORM costs more CPU
than running it (half a millisecond per query, bench/api.py). The SQL here names its columns from
the model's own field list, so a new field cannot be forgotten, and each value goes through the
same converters the ORM applies (JSON, dates on SQLite, ...); tests/test_raw_rows.py compares the
instances with the ORM's.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]

_converters: dict[tuple[str, type[models.Model]], list[tuple[models.Field, list[Converter]]]] = {}


def columns(model: type[models.Model], alias: str, *, using: str = "default") -> str:
    """``alias."col", ...`` for every concrete field, in the order ``instance_from_row`` expects."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def table(model: type[models.Model], *, using: str = "default") -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str, *, using: str = "default") -> str:
    """The quoted column of one field (``"pk"`` for the primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return connections[using].ops.quote_name(field.column)


def width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def _field_converters(model: type[models.Model], using: str) -> list[tuple[models.Field, list[Converter]]]:
    key = (using, model)
    if key not in _converters:
        connection = connections[using]
        _converters[key] = [
            (field, connection.ops.get_db_converters(field.get_col(model._meta.db_table))
             + field.get_db_converters(connection))
            for field in model._meta.concrete_fields
        ]
    return _converters[key]


def instance_from_row(model: type[M], values: Sequence[Any], *, using: str = "default") -> M:
    """One instance from the slice of a row that ``columns(model, ...)`` selected."""
    connection = connections[using]
    converted = []
    for (field, converters), value in zip(_field_converters(model, using), values, strict=True):
        for convert in converters:
            value = convert(value, field, connection)
        converted.append(value)
    return model.from_db(using, None, converted)
