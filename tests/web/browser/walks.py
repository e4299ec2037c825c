"""What the scenario walks share: viewports, screenshots for a person to look at, and the worker's outbox step."""

from pathlib import Path

from crisis.models import Breach
from crisis.timers import tasks

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def expect_playwright():
    """Playwright's ``expect``, imported late: a machine without Playwright skips the walks instead of failing."""
    from playwright.sync_api import expect

    return expect


def dispatch_outbox() -> None:
    """What the worker does after the engine commits breaches: open their pages."""
    pending = list(Breach.objects.filter(dispatched_at__isnull=True).order_by("id").values_list("pk", flat=True))
    if pending:
        tasks.breaches_dispatch(pending)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
