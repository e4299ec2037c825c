"""Set up and run Golden Hours locally; Ctrl-C stops every process it started."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from redis_local import redis_url_or_bundled  # noqa: E402

sys.path.insert(0, str(ROOT))
from config.processes import process_argv  # noqa: E402
from config.queues import DEFAULT_PREFIX  # noqa: E402

PY = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def base_url(host: str, port: str) -> str:
    """Where links in pages and emails point when GOLDEN_HOURS_BASE_URL is not set: the address the desk is served
    at. Listening on every interface (0.0.0.0, ::), that is this machine's address on its network, the one a phone
    on the same network opens; an IPv6 address goes in brackets."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (naming the wildcard, not binding to it)
        host = _network_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _network_address() -> str:
    # A UDP "connection" sends nothing: it only asks the kernel which local address routes outward.
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answered, never needs to be
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def run(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Acknowledge links in pages point at the desk; on another HOST/PORT they must follow it.
    os.environ.setdefault("GOLDEN_HOURS_BASE_URL", base_url(HOST, PORT))
    redis_proc, redis_url = redis_url_or_bundled(ROOT / "var" / "redis")
    os.environ["REDIS_URL"] = redis_url
    print(f"Redis: {redis_url}" + (" (bundled, stopped on exit)" if redis_proc else ""))
    children: list[tuple[str, subprocess.Popen]] = []
    if redis_proc:
        children.append(("redis", redis_proc))
    try:
        run("migrate", "--noinput", "-v", "0")
        run("seed_demo")
        run("seed_demo_reports")
        # The production layout (config/queues.py): a page never waits behind a timer, a report or a slow receiver.
        prefix = os.environ.get("GOLDEN_HOURS_QUEUE_PREFIX", DEFAULT_PREFIX)
        for name, argv in process_argv(bind=f"{HOST}:{PORT}", prefix=prefix, development=True).items():
            children.append((name, subprocess.Popen([PY, *argv], cwd=ROOT, start_new_session=True)))
        print(f"\n  Golden Hours is running at http://{HOST}:{PORT}/")
        print("  Sign in as demo-commander / golden-hours-demo (other roles: demo-admin, demo-approver, "
              "demo-responder, demo-viewer)")
        print("  Ctrl-C stops everything.\n", flush=True)
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the rest.", file=sys.stderr)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    finally:
        stop(children)


def stop(children: list[tuple[str, subprocess.Popen]]) -> None:
    # Children run in their own sessions so a terminal Ctrl-C reaches only us; we stop them in order.
    for _name, proc in reversed(children):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for _name, proc in reversed(children):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    # Started in the background by a non-interactive shell, SIGINT arrives ignored; Ctrl-C must still stop us.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
