"""How the browser tests start Debian's Chromium: one executable, one set of flags."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
# Root needs --no-sandbox; the rest keeps Chromium off the network it cannot reach here.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright's sync API, closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The password every UserFactory user has.
FACTORY_PASSWORD = "correct horse battery staple"


def log_in(page: Any, base_url: str, username: str) -> None:
    """Log in through the site's own form, as a person would, and land on the dashboard."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
