"""Celery queues by urgency, and the workers that consume them (docs/operations.md, "Queues and workers").

A page must never wait behind a timer, a report or a slow receiver: each kind of task has its own
queue, and paging (dispatching breaches, sending messages) has workers of its own. Every queue name
starts with the run's prefix (``GOLDEN_HOURS_QUEUE_PREFIX``), so test runs and benches that share one
Redis pick a private prefix and never consume each other's tasks. This module imports nothing from
Django or Celery: settings, ``bin/up``, the process helpers of the tests and the benches all read it.
"""

from dataclasses import dataclass

DEFAULT_PREFIX = "golden-hours"
SENDS, DISPATCH, TIMERS, HOUSEKEEPING, REPORTS = "sends", "dispatch", "timers", "housekeeping", "reports"
QUEUES = (SENDS, DISPATCH, TIMERS, HOUSEKEEPING, REPORTS)

# By task name. A task not listed here goes to CELERY_TASK_DEFAULT_QUEUE, the housekeeping queue.
TASK_QUEUES = {
    "crisis.oncall.tasks.deliveries_deliver": SENDS,
    "crisis.oncall.tasks.delivery_send": SENDS,
    "crisis.tasks.invitation_mail_send": SENDS,
    "crisis.timers.tasks.breaches_dispatch": DISPATCH,
    "crisis.timers.tasks.breach_dispatch": DISPATCH,
    "crisis.timers.tasks.deadline_due": TIMERS,
    "crisis_reports.report_generate": REPORTS,
}


def queue_name(prefix: str, queue: str) -> str:
    return f"{prefix}.{queue}"


def task_routes(prefix: str) -> dict[str, dict[str, str]]:
    return {task: {"queue": queue_name(prefix, queue)} for task, queue in TASK_QUEUES.items()}


@dataclass(frozen=True)
class Worker:
    """One ``celery worker`` process: the queues it consumes and how it runs their tasks."""

    name: str
    queues: tuple[str, ...]
    options: tuple[str, ...] = ()

    def argv(self, prefix: str, *, node: str | None = None) -> list[str]:
        """Arguments after ``python``; ``node`` names the worker (unique per host and broker)."""
        return ["-m", "celery", "-A", "config", "worker", "-Q", ",".join(queue_name(prefix, q) for q in self.queues),
                "-n", f"{node or self.name}@%h", "--prefetch-multiplier", "1", *self.options]


# The production layout (README, bin/up, bench/paging.py); the measurements behind it are in
# docs/benchmarks.md ("Paging under load"). Dispatch is CPU and database work: processes. Sending is
# waiting on the network: threads, many of them, so a receiver that hangs holds one thread for its
# timeout, not a worker. Timers, housekeeping and reports share a worker that paging never waits for.
WORKERS = (
    Worker("dispatch", (DISPATCH,), ("--pool", "prefork", "--concurrency", "2")),
    Worker("sends", (SENDS,), ("--pool", "threads", "--concurrency", "16")),
    Worker("background", (TIMERS, HOUSEKEEPING, REPORTS), ("--pool", "prefork", "--concurrency", "1")),
)
