"""A bounded request generator for the multi-process test: a few threads on 127.0.0.1, two web processes
behind a load balancer's retry rule, and a count of every answer. Nothing here depends on pytest or Django.

Each thread sends its requests round-robin to the webs. A request that cannot reach its web (connection
refused: the web is down) goes to the other web once, as a load balancer would; so does one cut off before
any answer (the web died mid-request) if it is safe to repeat: a GET, or a POST with an Idempotency-Key
(the API answers a repeat with the first response and creates nothing twice). Anything else is counted
as lost. No request is retried to the web that failed it.
"""

import http.client
import json
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    sent: int = 0
    answered: Counter = field(default_factory=Counter)  # by status code
    by_web: Counter = field(default_factory=Counter)
    failed_over: Counter = field(default_factory=Counter)  # why a request went to the other web
    lost: list[str] = field(default_factory=list)
    created_event_ids: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def not_2xx(self) -> dict[int, int]:
        return {code: n for code, n in self.answered.items() if not 200 <= code < 300}


@dataclass
class Load:
    webs: list[tuple[str, int]]
    token: str
    incident_ids: list[int]
    threads: int = 4
    max_requests: int = 3000
    pause: float = 0.0  # between one thread's requests: a steady trickle rather than all the CPU it can get
    timeout: float = 20.0
    tally: Tally = field(default_factory=Tally)
    stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)
    _budget: int = 0

    def start(self) -> "Load":
        self._budget = self.max_requests
        self._workers = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def finish(self) -> Tally:
        self.stop.set()
        for worker in self._workers:
            worker.join(self.timeout * 2 + 5)
        return self.tally

    def _take(self) -> bool:
        with self.tally.lock:
            if self._budget <= 0:
                return False
            self._budget -= 1
            self.tally.sent += 1
            return True

    def _run(self, n: int) -> None:
        i = 0
        while not self.stop.is_set() and self._take():
            web = (n + i) % len(self.webs)
            incident = self.incident_ids[(n * 7 + i) % len(self.incident_ids)]
            if i % 3 == 2:
                body = {"body": f"load {n}-{i}: statement drafted"}
                self._send(web, "POST", f"/api/v1/incidents/{incident}/events/", body, key=uuid.uuid4().hex)
            elif i % 3 == 1:
                self._send(web, "GET", f"/api/v1/incidents/{incident}/events/?page_size=20")
            else:
                self._send(web, "GET", "/api/v1/incidents/?page_size=20")
            i += 1
            self.stop.wait(self.pause)

    def _send(self, web: int, method: str, path: str, body: dict | None = None, key: str | None = None) -> None:
        repeatable = method == "GET" or key is not None
        try:
            status, payload = self._once(web, method, path, body, key)
        except ConnectionRefusedError:
            self._count_failover("refused")
            status, payload = self._other(web, method, path, body, key)
        except (ConnectionError, http.client.HTTPException, TimeoutError) as exc:
            if not repeatable:
                self._lose(f"{method} {path} on web {web}: {exc!r}")
                return
            self._count_failover("cut off")
            status, payload = self._other(web, method, path, body, key)
        if status is None:
            return
        with self.tally.lock:
            self.tally.answered[status] += 1
            if method == "POST" and status == 201:
                self.tally.created_event_ids.append(payload["id"])

    def _other(self, web: int, method: str, path: str, body, key):
        other = (web + 1) % len(self.webs)
        try:
            return self._once(other, method, path, body, key)
        except (ConnectionError, http.client.HTTPException, TimeoutError) as exc:
            self._lose(f"{method} {path} on both webs: {exc!r}")
            return None, None

    def _once(self, web: int, method: str, path: str, body, key):
        host, port = self.webs[web]
        conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        with self.tally.lock:
            self.tally.by_web[web] += 1
        payload = json.loads(raw) if raw and response.getheader("Content-Type", "").startswith("application/json") \
            else None
        return response.status, payload

    def _count_failover(self, why: str) -> None:
        with self.tally.lock:
            self.tally.failed_over[why] += 1

    def _lose(self, what: str) -> None:
        with self.tally.lock:
            self.tally.lost.append(what)
