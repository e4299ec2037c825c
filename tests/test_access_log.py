"""Gunicorn's access log keeps no secret that came in a URL: tokens in the query string, ack and calendar links."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECRETS = ["s3kr1t-query-token", "s3kr1t-signature", "s3kr1t-api-key", "s3kr1t-ack-link", "s3kr1t-calendar-feed",
           "s3kr1t-referer", "gh_s3kr1t-bearer"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn as production starts it (from the project folder, which holds gunicorn.conf.py), logging access."""
    port, log = free_port(), tmp_path / "access.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    command = [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application", "--workers", "1",
               "--timeout", "120", "--preload", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
               "--access-logformat", '%(h)s "%(r)s" %(s)s q=%(q)s f="%(f)s" a=%({authorization}i)s']
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", log
    proc.terminate()
    proc.wait(10)


def get(url: str, **headers: str) -> None:
    # The answer does not matter here, only what the log keeps of the request.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120).close()


def read_log(log: Path, lines: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if text.count("\n") >= lines:
            return text
        time.sleep(0.1)
    return log.read_text()


def test_it_redacts_secrets_in_urls_and_headers_from_the_access_log(gunicorn):
    base, log = gunicorn
    get(f"{base}/api/v1/incidents/?page_size=5&token=s3kr1t-query-token&Signature=s3kr1t-signature"
        "&api_key=s3kr1t-api-key&status=open")
    get(f"{base}/oncall/ack/s3kr1t-ack-link/")
    get(f"{base}/oncall/calendar/person/s3kr1t-calendar-feed.ics",
        Referer=f"{base}/login/?next=/&token=s3kr1t-referer", Authorization="Bearer gh_s3kr1t-bearer")
    text = read_log(log, 3)
    assert text.count("\n") == 3, text
    for secret in SECRETS:
        assert secret not in text
    # What the log is for stays: which URL, which harmless parameters, which answer.
    assert "/api/v1/incidents/?page_size=5&token=[redacted]&Signature=[redacted]&api_key=[redacted]&status=open" in text
    assert "/oncall/ack/[redacted]/" in text
    assert "/oncall/calendar/person/[redacted].ics" in text
    assert "q=page_size=5&token=[redacted]" in text


@pytest.mark.parametrize(("url", "logged"), [
    ("/x/?%74oken=abc&page=2", "/x/?%74oken=[redacted]&page=2"),
    ("/x/?access_token=abc", "/x/?access_token=[redacted]"),
    ("/x/?X-Amz-Signature=abc&X-Amz-Date=1", "/x/?X-Amz-Signature=[redacted]&X-Amz-Date=1"),
    ("/x/?flag&status=open", "/x/?flag&status=open"),
    ("/zh-hans/oncall/ack/abc:def/", "/zh-hans/oncall/ack/[redacted]/"),
    ("-", "-"),
])
def test_it_redacts_every_spelling_of_a_secret_parameter(url, logged):
    from config.access_log import redact_url

    assert redact_url(url) == logged
