"""Where the current change comes from (session, token, task, command), for the audit log.

Views and tasks set it around their work; services read it when they write audit rows.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    via: str = "system"
    ip_address: str | None = None


_current: contextvars.ContextVar[Origin] = contextvars.ContextVar("golden_hours_origin", default=Origin())  # noqa: B039 (frozen)


def current_origin() -> Origin:
    return _current.get()


@contextlib.contextmanager
def origin_set(origin: Origin) -> Iterator[None]:
    token = _current.set(origin)
    try:
        yield
    finally:
        _current.reset(token)
