"""The one place that says what time it is.

Three ways to move it, for three situations:
- in-process tests use time-machine, which patches ``timezone.now``;
- code that replays history (the demo seed, imports) wraps calls in ``clock.frozen_at(t)``;
- tests that drive separate processes (a Celery worker, the engine) set
  ``GOLDEN_HOURS_CLOCK_FILE``: a file holding an offset in seconds that every process adds to
  the real time, so moving the clock for all of them is writing one number to one file.
"""

import contextlib
import contextvars
import os
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("golden_hours_frozen_now", default=None)


def _offset() -> timedelta:
    path = os.environ.get("GOLDEN_HOURS_CLOCK_FILE")
    if not path:
        return timedelta(0)
    try:
        with open(path, encoding="ascii") as handle:
            return timedelta(seconds=float(handle.read().strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)


def now() -> datetime:
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return timezone.now() + _offset()


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
