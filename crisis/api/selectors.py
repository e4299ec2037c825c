"""Reads on the API's own records."""

import functools

from django.contrib.auth import get_user_model
from django.db import connection

from crisis.raw_rows import column, columns, instance_from_row, table, width

from .models import ApiToken


def active_token(*, digest: str) -> ApiToken | None:
    """The unrevoked token with this digest, with its user loaded; every token request starts here.

    Hand-written SQL (see crisis.raw_rows): the ORM spent more CPU building this query than the
    database spent answering it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_active_token_sql(), [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    split = width(ApiToken)
    token = instance_from_row(ApiToken, row[:split])
    token.user = instance_from_row(get_user_model(), row[split:])
    return token


@functools.cache
def _active_token_sql() -> str:
    user_model = get_user_model()
    # Identifiers only, from the models' metadata; the digest travels as a parameter.
    return (
        f"SELECT {columns(ApiToken, 't')}, {columns(user_model, 'u')}"  # noqa: S608
        f" FROM {table(ApiToken)} t"
        f" JOIN {table(user_model)} u ON u.{column(user_model, 'pk')} = t.{column(ApiToken, 'user')}"
        f" WHERE t.{column(ApiToken, 'digest')} = %s AND t.{column(ApiToken, 'revoked_at')} IS NULL"
    )
