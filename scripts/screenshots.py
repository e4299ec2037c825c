"""Walk the desk as a user would and refresh the screenshots in docs/img (and report console or CSP errors).

    bin/up &                       # in another terminal: the demo, at http://127.0.0.1:8000/
    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/img]

Desktop 1280x800 and phone 390x844, English and 简体中文, signed in as demo-commander. Uses Debian's Chromium
(/usr/bin/chromium), as the browser tests do. Exits 1 if any page logged a console error.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def sign_in(page, base: str, prefix: str = "") -> None:
    page.goto(f"{base}{prefix}/login/")
    page.fill("input[name=username]", "demo-commander")
    page.fill("input[name=password]", "golden-hours-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def live_room_path(page, base: str) -> str:
    page.goto(f"{base}/")
    return page.locator("#dashboard table a").first.get_attribute("href")


def walk(browser, base: str, out: Path, *, viewport: dict, prefix: str, shots: dict[str, str], errors: list) -> None:
    context = browser.new_context(viewport=viewport, locale="zh-CN" if prefix else "en-US")
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    sign_in(page, base, prefix)
    room = live_room_path(page, base)
    room = room if room.startswith(prefix) else f"{prefix}{room}"
    for name, path in shots.items():
        url = f"{base}{prefix}{path}" if not path.startswith("@room") else f"{base}{room}{path[5:]}"
        page.goto(url)
        page.wait_for_load_state("networkidle")
        full = not name.endswith("-top")
        page.screenshot(path=str(out / f"{name.removesuffix('-top')}.png"), full_page=full)
        print(f"  {name}: {page.url}")
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        walk(browser, args.base_url, args.out, viewport=DESKTOP, prefix="", errors=errors, shots={
            "dashboard-top": "/", "incident-room-top": "@room", "incidents-top": "/incidents/",
            "oncall-setup-top": "/oncall/setup/", "open-incident-top": "/incidents/new/",
            "analytics-top": "/analytics/",
        })
        walk(browser, args.base_url, args.out, viewport=PHONE, prefix="", errors=errors, shots={
            "incident-room-phone-top": "@room", "dashboard-phone-top": "/",
        })
        walk(browser, args.base_url, args.out, viewport=DESKTOP, prefix="/zh-hans", errors=errors, shots={
            "incident-room-zh-hans-top": "@room",
        })
        walk(browser, args.base_url, args.out, viewport=PHONE, prefix="/zh-hans", errors=errors, shots={
            "incident-room-phone-zh-hans-top": "@room",
        })
        browser.close()
    for error in errors:
        print("console error:", error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
