"""Periodic jobs that the engine's housekeeping thread runs, declared by the app that owns each.

The engine knows none of its consumers: on-call, the API and invitations register their jobs from their own
AppConfig.ready (or module import), and the engine runs whatever is registered, each on its own, so one that
fails does not keep the others from running.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import connection

logger = logging.getLogger(__name__)

Job = Callable[..., object]  # called as job(now=...)
_jobs: dict[str, Job] = {}


def housekeeping_register(name: str, job: Job) -> None:
    """Declare a job (idempotent: the same name registers once, as ready() may run twice in tests)."""
    _jobs[name] = job


def housekeeping_jobs() -> dict[str, Job]:
    return dict(_jobs)


def housekeeping_run(*, now: datetime) -> list[str]:
    """Run every registered job; returns the names of those that failed (logged, retried on the next pass)."""
    failed = []
    for name, job in sorted(_jobs.items()):
        try:
            job(now=now)
        except Exception as exc:  # noqa: BLE001 (the next pass retries; the other jobs and the sweep go on)
            logger.warning("housekeeping job %s failed (%s)", name, exc, exc_info=True)
            failed.append(name)
            # A failed query can leave the connection unusable (PostgreSQL after a lost connection): start afresh.
            connection.close()
    return failed
