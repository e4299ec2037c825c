"""A local webhook receiver for tests and the benchmark: http.server on 127.0.0.1, a free port, a thread.

It plays a script, one behaviour per request (then ``then`` for the rest), and honours
``Idempotency-Key`` as a careful receiver would: a key it has already processed is answered 200
without processing it again, so ``accepted`` counts alerts, not requests.
"""

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DROP = "drop"  # close the connection without answering
STALL = "stall"  # process the alert, then answer too late (the sender times out)
HOLD = "hold"  # process the alert, then hold the connection until released (a sender killed meanwhile)


class _Server(ThreadingHTTPServer):
    # http.server listens with a backlog of 5: parallel senders overflow it, and each dropped SYN
    # costs the sender a 1 s, then 3 s, TCP retransmit. Real receivers listen with far more.
    request_queue_size = 128


@dataclass
class Received:
    at: float
    headers: dict
    body: bytes

    @property
    def key(self) -> str:
        return self.headers.get("Idempotency-Key", "")

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    script: list = field(default_factory=list)
    then: object = 200
    stall_seconds: float = 2.0
    requests: list[Received] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    host: str = "127.0.0.1"  # any 127.x.y.z listens on Linux: a second address for a test to tell apart

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}/hook"

    def _next(self, item: Received):
        with self.lock:
            self.requests.append(item)
            return self.script.pop(0) if self.script else self.then

    def _accept(self, key: str) -> bool:
        with self.lock:
            if key in self.accepted:
                return False
            self.accepted.append(key)
            return True

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 (http.server's spelling)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                item = Received(at=time.time(), headers=dict(self.headers), body=body)
                action = receiver._next(item)
                if action == DROP:
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(2)
                    return
                if action in (STALL, HOLD):
                    receiver._accept(item.key)
                    receiver.release.wait(receiver.stall_seconds if action == STALL else 60)
                    action = 200
                elif action == 200:
                    receiver._accept(item.key)
                elif isinstance(action, tuple):  # (3xx, location)
                    action, location = action
                    self.send_response(int(action))
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with contextlib.suppress(OSError):
                    self.send_response(int(action))
                    self.send_header("Content-Length", "0")
                    self.end_headers()

        self.server = _Server((self.host, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
