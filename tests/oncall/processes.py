"""A private Redis and real Celery workers for paging tests (no pytest needed)."""

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

# One copy of the process helpers: the engine's fault suite owns them.
from tests.timers.processes import ALL_QUEUES, PYTHON, ROOT, Worker, celery_producer, wait_for

__all__ = ["worker_test_marks", "PagingStack", "celery_producer"]


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def worker_test_marks() -> list:
    """The marks of a test module that pages through real worker processes."""
    import pytest

    return [
        pytest.mark.postgres,
        pytest.mark.slow,
        pytest.mark.skipif(not _on_postgres(), reason="a worker process shares the test database only on "
                                                      "PostgreSQL (SQLite's test database is private to this process)"),
        pytest.mark.django_db(transaction=True),
    ]


class PagingStack:
    """Workers on a private Redis and private queues (names starting with ``queue``), sharing one database
    and one clock file."""

    def __init__(self, workdir: Path, database_url: str, extra_env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.queue = f"paging-{uuid.uuid4().hex[:10]}"
        self.extra_env = extra_env or {}
        self.redis_proc: subprocess.Popen | None = None
        self.redis_url = ""
        self.workers: dict[str, subprocess.Popen] = {}

    @property
    def clock_file(self) -> Path:
        return self.workdir / "clock-offset"

    def clock_set(self, seconds: float) -> None:
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(f"{seconds:.6f}\n", encoding="ascii")
        tmp.replace(self.clock_file)

    def redis_start(self) -> str:
        sys.path.insert(0, str(ROOT / "scripts"))
        from redis_local import redis_start_private

        self.redis_proc, self.redis_url = redis_start_private(self.workdir / "redis")
        return self.redis_url

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url, "CELERY_BROKER_URL": self.redis_url,
            "GOLDEN_HOURS_QUEUE_PREFIX": self.queue, "GOLDEN_HOURS_SEND_TIMERS": "1",
            "GOLDEN_HOURS_CLOCK_FILE": str(self.clock_file), "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def worker_start(self, name: str = "worker", *, concurrency: int = 1, pool: str = "prefork",
                     worker: Worker | None = None) -> None:
        """One worker for every queue by default; ``worker`` picks queues and options (config.queues.WORKERS)."""
        worker = worker or Worker("all", ALL_QUEUES.queues, ("--pool", pool, "--concurrency", str(concurrency)))
        with open(self.workdir / f"{name}.log", "ab") as out:
            proc = subprocess.Popen(
                [PYTHON, *worker.argv(self.queue, node=f"{name}-{self.queue}"), "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        self.workers[name] = proc

        def ready():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{self.log(name)[-3000:]}")
            return "ready." in self.log(name)

        wait_for(ready, timeout=60, interval=0.05, what=f"{name} to start")

    def worker_kill(self, name: str = "worker") -> None:
        """SIGKILL the worker's whole process group (parent and pool children), as a crash or OOM would."""
        proc = self.workers[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(15)

    def stop_all(self) -> None:
        for name in list(self.workers):
            self.worker_kill(name)
        if self.redis_proc is not None and self.redis_proc.poll() is None:
            self.redis_proc.kill()
            self.redis_proc.wait(10)
