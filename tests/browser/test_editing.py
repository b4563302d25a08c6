"""In Chromium: the card editor's live preview, form errors next to fields, keyboard focus."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_journey import _shot
from tests.browser_support import ARGS, CHROMIUM, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    from tests.factories import DeckFactory, NoteFactory, UserFactory

    user = UserFactory(username="editor")
    deck = DeckFactory(owner=user, title="Editing", slug="editing")
    card = NoteFactory(deck=deck, question="What is a decorator?", answer="A callable.")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url, "editor")
        page.card_id = card.pk  # type: ignore[attr-defined]
        page.base = live_server.url  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            browser.close()


def test_live_preview_renders_sanitised_markdown_while_typing(page):
    page.goto(f"{page.base}/cards/{page.card_id}/edit/")
    answer = page.get_by_label("Answer")
    answer.fill("")
    answer.type("Use **functools.wraps**\n\n```python\n@wraps(f)\n```\n<script>bad()</script>")
    preview = page.locator("#preview-answer")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "functools.wraps"
    assert preview.locator("pre.highlight").count() == 1
    assert preview.locator("script").count() == 0
    _shot(page, "card-edit")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_url(f"{page.base}/cards/{page.card_id}/")
    assert page.locator("article.card strong").inner_text() == "functools.wraps"


def test_form_errors_show_next_to_their_field(page):
    page.goto(f"{page.base}/decks/new/")
    page.get_by_label("Slug").fill("editing")
    page.get_by_role("button", name="Create deck").click()
    title_error = page.locator("#id_title_error")
    slug_error = page.locator("#id_slug_error")
    assert "required" in title_error.inner_text()
    assert "already have a deck" in slug_error.inner_text()
    # The error sits inside the same field block as its input.
    assert page.locator(".field.has-error #id_slug").count() == 1


def test_keyboard_reaches_the_main_content_first(page):
    page.goto(f"{page.base}/decks/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
