"""End to end in Debian's Chromium: sign up, import, search, study by keyboard, undo, dashboard.

Playwright's sync API runs in the test thread against pytest-django's live server. The
screenshots it takes are the ones in docs/screenshots/ and the README.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser_support import ARGS, CHROMIUM  # noqa: F401  (re-exported for other tests)

# The sync Playwright API runs an event loop in this thread; Django's ORM calls made by the
# test itself (the final checks) would otherwise refuse to run "from an async context".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
PASSWORD = "a long and private passphrase 7"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _reviews_today(page) -> int:
    return int(page.locator('[data-stat="reviews-today"]').inner_text())


def test_sign_up_import_search_study_undo_dashboard(live_server, chromium, flagship_path):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Sign up: lands on the (empty) dashboard, logged in.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Email").fill("reader@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{live_server.url}/")
    assert _reviews_today(page) == 0

    # Import the flagship notes; the job page follows the import until it is done.
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Notes file").set_input_files(str(flagship_path))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    page.locator('[data-job-status]:text("Done")').wait_for()
    deck_link = page.get_by_role("link", name=re.compile("^Open “"))
    assert deck_link.count() == 1
    _shot(page, "import-job")

    # Search "celery" and open the first hit.
    page.get_by_role("link", name="Search", exact=True).click()
    box = page.get_by_role("searchbox")
    box.fill("celery")
    box.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=celery"))
    hits = page.locator(".search-hit")
    assert hits.count() > 0
    assert page.locator(".search-hit mark").count() > 0
    _shot(page, "search")
    hits.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/cards/\d+/$"))
    assert "celery" in page.locator("article.card").inner_text().lower()

    # Study five cards with the keyboard only: space reveals, 3 grades "Good".
    page.get_by_role("link", name="Study", exact=True).click()
    page.wait_for_url(f"{live_server.url}/study/")
    for n in range(5):
        question = page.locator("#study-question").inner_text()
        page.keyboard.press("Space")
        page.locator("#study-answer").wait_for(state="visible")
        assert page.locator("#grade-form .grade-interval").count() == 4
        if n == 2:
            _shot(page, "study")
        with page.expect_navigation():
            page.keyboard.press("3")
        assert page.locator('[data-study="done"]').inner_text() == str(n + 1)
        assert page.locator("#study-question").inner_text() != question or n == 4

    # Undo one grade with "z": the count goes back to four.
    with page.expect_navigation():
        page.keyboard.press("z")
    assert page.locator('[data-study="done"]').inner_text() == "4"

    # The dashboard counts the four reviews that stand.
    page.get_by_role("link", name="Recall", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    assert _reviews_today(page) == 4
    assert page.locator("svg.heatmap rect[data-count='4']").count() == 1
    _shot(page, "dashboard")

    from recall.study.models import ReviewLog

    assert ReviewLog.objects.filter(user__username="reader").count() == 4
    assert errors == []

    # The same pages on a phone, in the dark theme.
    phone = chromium.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", device_scale_factor=2
    )
    phone.add_cookies(context.cookies())
    mobile = phone.new_page()
    mobile.goto(f"{live_server.url}/study/")
    mobile.keyboard.press("Space")
    mobile.locator("#study-answer").wait_for(state="visible")
    _shot(mobile, "study-phone-dark")
    mobile.goto(f"{live_server.url}/")
    _shot(mobile, "dashboard-phone-dark")
    phone.close()
    context.close()
