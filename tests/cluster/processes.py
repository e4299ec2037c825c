"""Golden Hours as several machines would run it, on this one: N webs, M copies of the paging workers and K
engines, started with the commands of config/processes.py (those compose.yaml and the units start), sharing
one PostgreSQL database, one private Redis and private queues. Nothing here depends on pytest."""

import http.client
import socket
from dataclasses import dataclass

from config.processes import process_argv
from tests.timers.processes import PYTHON, EngineStack, Managed, wait_for

# The paging workers (config/queues.py WORKERS): the ones a breach goes through on its way to a page.
PAGING_WORKERS = ("worker-dispatch", "worker-sends")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ClusterStack(EngineStack):
    """Each process is named ``<kind>-<n>``: web-1, worker-dispatch-2, engine-1..."""

    ports: dict[str, int] | None = None
    worker_extra_argv: list[str] | None = None  # appended to every worker's production command

    def argv(self, kind: str, *, bind: str = "127.0.0.1:0") -> list[str]:
        return [PYTHON, *process_argv(bind=bind, prefix=self.queue)[kind]]

    def web_start(self, name: str, *, wait: bool = True) -> Managed:
        self.ports = self.ports or {}
        port = self.ports.setdefault(name, free_port())  # a restart comes back on the same address
        managed = self._start(name, self.argv("web", bind=f"127.0.0.1:{port}"))
        if wait:
            self.web_wait(name)
        return managed

    def web_wait(self, name: str, timeout: float = 60.0) -> None:
        managed, port = self.processes[name], self.ports[name]

        def answers() -> bool:
            if not managed.alive():
                raise RuntimeError(f"{name} exited early:\n{managed.text()[-3000:]}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/api/v1/")
                return conn.getresponse().status < 500
            except OSError:
                return False
            finally:
                conn.close()

        wait_for(answers, timeout=timeout, interval=0.1, what=f"{name} to answer")

    def worker_replica_start(self, kind: str, name: str, *, wait: bool = True) -> Managed:
        """A worker of the production layout. ``-n`` as another machine's host name would make it unique (Celery
        tells its workers apart by node name) and INFO logging to see it ready: the last of each option wins."""
        managed = self._start(name, [*self.argv(kind), "-n", f"{name}-{self.queue}@%h", "--loglevel", "INFO",
                                     *(self.worker_extra_argv or [])])
        if wait:
            self.worker_wait(name)
        return managed

    def worker_wait(self, name: str) -> None:
        self.ready(self.processes[name], "ready.", timeout=90)

    def engine_replica_start(self, name: str, *, wait: bool = True) -> Managed:
        managed = self._start(name, self.argv("engine"))
        if wait:
            self.engine_wait(name)
        return managed

    def engine_wait(self, name: str) -> None:
        self.ready(self.processes[name], "deadline engine running", timeout=90)
