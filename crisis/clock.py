"""The one place that says what time it is.

Two times matter for every fact: when it happened in the crisis, which deadlines are judged on
(``now``), and when it was entered here, which the audit keeps (``recorded_now``). Live they are
the same moment. Ways to move them:
- in-process tests use time-machine, which patches ``timezone.now``;
- the demo seed, which invents a history, wraps calls in ``clock.frozen_at(t)``: both clocks stop at t;
- an import of a past crisis replays it with ``clock.replaying_at(t)``: deadlines are judged at t,
  while what it writes is recorded at the real time it is entered;
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
_replaying: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("golden_hours_replay_now", default=None)


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
    """The crisis's present: what is due, what is late."""
    moment = _frozen.get() or _replaying.get()
    if moment is not None:
        return moment
    return timezone.now() + _offset()


def now_and_recorded() -> tuple[datetime, datetime]:
    """Both clocks from one reading: live, a fact defaulting to "now" was recorded at that very instant."""
    moment = _frozen.get()
    real = moment if moment is not None else timezone.now() + _offset()
    return _replaying.get() or real, real


def recorded_now() -> datetime:
    """When something is being entered, for the record; never the replayed time of an import."""
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


@contextlib.contextmanager
def replaying_at(moment: datetime) -> Iterator[None]:
    token = _replaying.set(moment)
    try:
        yield
    finally:
        _replaying.reset(token)
