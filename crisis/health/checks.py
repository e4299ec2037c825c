"""Readiness checks for /readyz: each answers quickly (one query, one broker round trip, one ping with a short
timeout) and says what it found; none raises."""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection

from .conf import setting
from .heartbeat import engine_health


class CheckFailed(Exception):
    """A check's own verdict, with a message fit for an unauthenticated reader."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "name"}


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "answers"


def _app():
    from celery import current_app

    return current_app._get_current_object()


def check_broker() -> str:
    timeout = setting("GOLDEN_HOURS_READY_TIMEOUT")
    with _app().connection_for_write() as conn:
        # One connection attempt with the short timeout, no retries: a load balancer must not wait on us.
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    return "answers"


def check_engine() -> str:
    health = engine_health()
    if not health.has_ever_run:
        raise CheckFailed("no engine has ever swept")
    seconds = int(health.silent_for.total_seconds())
    if health.is_stale:
        raise CheckFailed(f"no engine has swept for {seconds}s (limit {int(health.limit.total_seconds())}s)")
    return f"swept {seconds}s ago"


def check_worker() -> str:
    # Remote-control ping (the broadcast pidbox, which every worker hears whatever its queues); returns at the
    # first answer, or after the timeout with none.
    replies = _app().control.ping(timeout=setting("GOLDEN_HOURS_READY_TIMEOUT"), limit=1)
    if not replies:
        raise CheckFailed("no worker answered a ping")
    return f"{next(iter(replies[0]))} answered"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "engine": check_engine,
    "worker": check_worker,
}
# A check that needs another is not tried when that one failed: the heartbeat is read from the database, and a ping
# through a broker that is down would wait out its connection retries instead of answering the load balancer.
NEEDS = {"engine": "database", "worker": "broker"}


def readiness() -> list[CheckResult]:
    results: list[CheckResult] = []
    for name, check in CHECKS.items():
        started = time.monotonic()
        needed = next((r for r in results if r.name == NEEDS.get(name)), None)
        if needed is not None and not needed.ok:
            results.append(CheckResult(name, False, f"not checked: the {needed.name} is down", 0.0))
            continue
        try:
            detail, ok = check(), True
        except Exception as exc:  # noqa: BLE001 (a failing dependency is the answer, not an error of ours)
            # Our own messages (engine, worker) are safe to show anyone; a driver's may name hosts and users, so
            # an unauthenticated probe gets only its type outside development.
            mine = isinstance(exc, CheckFailed)
            detail, ok = str(exc) if mine else f"{type(exc).__name__}" + (f": {exc}" if settings.DEBUG else ""), False
            if name == "database":
                connection.close()  # a broken connection must not fail the next probe too
        results.append(CheckResult(name, ok, detail[:300], round(time.monotonic() - started, 4)))
    return results
