"""Running the engine as users do: a private Redis, Celery workers and ``run_engine`` sweepers in subprocesses.

Used by the fault-injection suite and by ``bench/engine.py``. Nothing here depends on pytest.
Every process is started in its own session so that killing it kills its children too
(a prefork worker is a parent and a pool child), and ``stop_all`` always leaves nothing behind.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from config.queues import QUEUES, Worker, queue_name, task_routes

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

WORKER_READY = "ready."
ENGINE_READY = "deadline engine running"


def process_tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes and all their children."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def wait_for(predicate: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.02, what: str = "") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what or predicate!r}")
        time.sleep(interval)


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@dataclass
class Managed:
    name: str
    proc: subprocess.Popen
    log: Path

    def text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None


@contextlib.contextmanager
def celery_producer(broker_url: str, prefix: str):
    """Make this process publish to the private broker and queues: our tasks are shared_task proxies, so
    they follow the current Celery app."""
    from celery import Celery, current_app

    previous = current_app._get_current_object()
    app = Celery("golden_hours_private", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    # Keys in the settings' own spelling: with a namespace, Celery reads CELERY_BROKER_URL before broker_url.
    app.conf.update(CELERY_BROKER_URL=broker_url, CELERY_TASK_ROUTES=task_routes(prefix),
                    CELERY_TASK_DEFAULT_QUEUE=queue_name(prefix, "housekeeping"))
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()
        app.close()


# One worker for every queue: what most tests need (the production layout is config.queues.WORKERS).
ALL_QUEUES = Worker("all", QUEUES, ("--pool", "prefork", "--concurrency", "1"))


@dataclass
class EngineStack:
    """A private Redis plus any number of workers and sweepers sharing one database, clock file and private
    queues (every queue name starts with ``queue``, the run's GOLDEN_HOURS_QUEUE_PREFIX)."""

    workdir: Path
    database_url: str
    queue: str = field(default_factory=lambda: f"faults-{uuid.uuid4().hex[:10]}")
    extra_env: dict[str, str] = field(default_factory=dict)
    redis_proc: subprocess.Popen | None = None
    redis_url: str = ""
    redis_port: int | None = None
    processes: dict[str, Managed] = field(default_factory=dict)

    @property
    def clock_file(self) -> Path:
        return self.workdir / "clock-offset"

    def clock_set(self, offset_seconds: float) -> None:
        """Move time for every process at once (they all read this file on every ``clock.now()``)."""
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(f"{offset_seconds:.6f}\n", encoding="ascii")
        tmp.replace(self.clock_file)  # atomic: a reader never sees half a number

    # Redis

    def redis_start(self) -> str:
        sys.path.insert(0, str(ROOT / "scripts"))
        from redis_local import redis_start_private

        self.redis_proc, self.redis_url = redis_start_private(self.workdir / "redis", port=self.redis_port)
        self.redis_port = int(self.redis_url.rsplit(":", 1)[1].split("/")[0])
        return self.redis_url

    def redis_kill(self) -> None:
        """SIGKILL: nothing is saved (the private server runs without persistence), so queued ETA tasks are lost."""
        if self.redis_proc is not None and self.redis_proc.poll() is None:
            self.redis_proc.kill()
            self.redis_proc.wait(10)

    # Processes

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "GOLDEN_HOURS_QUEUE_PREFIX": self.queue,
            "GOLDEN_HOURS_SEND_TIMERS": "1",
            "GOLDEN_HOURS_CLOCK_FILE": str(self.clock_file),
            "GOLDEN_HOURS_RELAY_AFTER": "0.5",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def _start(self, name: str, argv: list[str]) -> Managed:
        if name in self.processes and self.processes[name].alive():
            raise RuntimeError(f"{name} is already running")
        log = self.workdir / f"{name}.log"
        # PGAPPNAME tags the process's database sessions, so pg_stat_activity can tell whose transaction is open.
        env = dict(self.env(), PGAPPNAME=f"{self.queue}-{name}")
        with open(log, "ab") as out:
            proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        managed = Managed(name, proc, log)
        self.processes[name] = managed
        return managed

    def worker_start(self, name: str = "worker", *, wait: bool = True, worker: Worker = ALL_QUEUES) -> Managed:
        argv = worker.argv(self.queue, node=f"{name}-{self.queue}")
        managed = self._start(name, [PYTHON, *argv, "--loglevel", "INFO",
                                     "--without-gossip", "--without-mingle", "--without-heartbeat"])
        if wait:
            self.ready(managed, WORKER_READY)
        return managed

    def engine_start(self, name: str = "engine", *, max_sleep: float = 0.2, wait: bool = True) -> Managed:
        managed = self._start(name, [PYTHON, "manage.py", "run_engine", "--max-sleep", str(max_sleep)])
        if wait:
            self.ready(managed, ENGINE_READY)
        return managed

    def ready(self, managed: Managed, marker: str, timeout: float = 30.0) -> None:
        def started():
            if not managed.alive():
                raise RuntimeError(f"{managed.name} exited early:\n{managed.text()[-3000:]}")
            return marker in managed.text()

        wait_for(started, timeout=timeout, interval=0.05, what=f"{managed.name} to start")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        managed = self.processes[name]
        if managed.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(managed.proc.pid, sig)
        managed.proc.wait(15)

    def stop_all(self) -> None:
        for name, managed in list(self.processes.items()):
            if managed.alive():
                self.kill(name, signal.SIGKILL)
            else:
                # The session may still hold an orphaned pool child.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(managed.proc.pid, signal.SIGKILL)
        self.redis_kill()

    def application_name(self, name: str) -> str:
        return f"{self.queue}-{name}"

    def log_count(self, name: str, text: str) -> int:
        return self.processes[name].text().count(text)
