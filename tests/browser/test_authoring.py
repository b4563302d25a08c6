"""In Chromium, by keyboard: three notes of different kinds written on the deck page, then
found in the card browser by state and tag."""

from __future__ import annotations

import os

import pytest

from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_three_notes_of_three_kinds_by_keyboard(live_server, chromium):
    from recall.decks import services
    from tests.factories import UserFactory

    user = UserFactory(username="author", time_zone="UTC")
    deck = services.deck_create(owner=user, title="Written by hand")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "author")
        page.goto(f"{live_server.url}{deck.get_absolute_url()}")
        assert "No notes in this deck yet." in page.locator("body").inner_text()

        kind = page.locator("form[data-new-note-form] select[name=kind]")
        question = page.locator("form[data-new-note-form] textarea[name=question]")
        page.keyboard.press("n")
        assert kind.evaluate("el => el === document.activeElement")
        page.keyboard.press("Tab")
        page.keyboard.type("What does `git add -p` do?")
        # The live preview renders the Markdown as it is typed.
        page.locator("#preview-question code").wait_for()
        page.keyboard.press("Tab")
        page.keyboard.type("Stages **parts** of a file")
        page.keyboard.press("Tab")
        page.keyboard.type("git, staging")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        assert "Note added (1 card)." in page.locator("body").inner_text()
        # Ready for the next one: the question box has the focus.
        assert question.evaluate("el => el === document.activeElement")

        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowDown")  # Basic and reversed
        assert kind.input_value() == "reversed"
        page.keyboard.press("Tab")
        page.keyboard.type("HEAD")
        page.keyboard.press("Tab")
        page.keyboard.type("The commit checked out")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        assert "Note added (2 cards)." in page.locator("body").inner_text()

        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowDown")  # Cloze
        assert kind.input_value() == "cloze"
        page.keyboard.press("Tab")
        page.keyboard.type("{{c1::301}} is permanent, {{c2::302}} is temporary")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        assert "Note added (2 cards)." in page.locator("body").inner_text()

        kinds = list(deck.notes.order_by("position").values_list("kind", flat=True))
        assert kinds == ["basic", "reversed", "cloze"]
        assert deck.cards.count() == 5
        listed = page.locator(".card-list li > a").all_inner_texts()
        assert len(listed) == 3 and "HEAD" in listed

        # The card browser finds them by state and tag.
        page.goto(f"{live_server.url}/cards/")
        assert page.locator(".card-table tbody tr[data-card]").count() == 5
        filters = page.locator("form.card-filters")
        filters.locator("input[name=tag]").fill("git")
        filters.locator("select[name=state]").select_option("new")
        with page.expect_navigation():
            page.get_by_role("button", name="Filter").click()
        rows = page.locator(".card-table tbody tr[data-card]")
        assert rows.count() == 1 and "git add -p" in rows.inner_text()
        assert errors == []
    finally:
        context.close()
