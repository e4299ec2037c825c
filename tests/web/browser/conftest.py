"""Playwright driving Debian's Chromium against a live Django server started by the test run.

Playwright cannot download its own browsers on our machines, so the tests use /usr/bin/chromium
(`.ci/run` installs it) and skip, saying why, where it is missing.
"""

import os
import shutil
from pathlib import Path

import pytest

from crisis.models import Role
from tests.factories import member

CHROMIUM = os.environ.get("GOLDEN_HOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "desk-test-password"


def _chromium_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set GOLDEN_HOURS_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = _chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary blocking calls, which Django would otherwise refuse.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def clock_file(tmp_path, monkeypatch):
    """The injectable clock: the live server (a thread of this process) reads the offset from this file."""
    path = tmp_path / "clock-offset"
    path.write_text("0", encoding="ascii")
    monkeypatch.setenv("GOLDEN_HOURS_CLOCK_FILE", str(path))

    def move(seconds: float) -> None:
        path.write_text(str(seconds), encoding="ascii")

    return move


@pytest.fixture
def desk_people(org):
    people = {}
    for role in (Role.VIEWER, Role.RESPONDER, Role.APPROVER, Role.COMMANDER):
        user = member(org, role, first_name=role.label, last_name="Tester")
        user.set_password(PASSWORD)
        user.save()
        people[role.value] = user
    return people


@pytest.fixture
def sign_in(chromium, live_server):
    """A fresh browser context (its own cookies) signed in as ``user``; closed after the test, which then fails if
    any page broke the Content-Security-Policy or threw (htmx refusing to eval, a blocked inline handler)."""
    contexts = []
    problems = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    def _sign_in(user, *, viewport=None):
        context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="en-US")
        contexts.append(context)
        context.on("console", on_console)
        context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _sign_in
    for context in contexts:
        context.close()
    assert problems == []
