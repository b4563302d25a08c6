"""In Chromium, by keyboard: suspend one card and bury another from the study screen, and
see them leave the queue and its counts; o opens the card."""

from __future__ import annotations

import os

import pytest

from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shown_card(page) -> int:
    return int(page.locator('#card-action-form input[name="card_id"]').get_attribute("value"))


def _new_count(page) -> int:
    return int(page.locator('[data-queue="new"]').inner_text())


def test_suspend_and_bury_by_keyboard_change_the_counts(live_server, chromium):
    from recall.decks import services
    from recall.decks.models import Card
    from tests.factories import UserFactory

    user = UserFactory(username="steerer", time_zone="UTC", day_starts_at_hour=4)
    deck = services.deck_create(owner=user, title="Steering")
    for i in range(4):
        services.note_create(deck=deck, question=f"Question {i}?", answer=f"Answer {i}")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "steerer")
        page.goto(f"{live_server.url}/study/decks/{deck.pk}/")
        assert _new_count(page) == 4

        first = _shown_card(page)
        with page.expect_navigation():
            page.keyboard.press("s")
        assert _new_count(page) == 3
        assert Card.objects.get(pk=first).suspended

        second = _shown_card(page)
        assert second != first
        with page.expect_navigation():
            page.keyboard.press("b")
        assert _new_count(page) == 2
        assert Card.objects.get(pk=second).buried_until is not None
        assert _shown_card(page) not in (first, second)
        assert "buried until tomorrow" in page.locator("body").inner_text().lower()

        # o opens the shown card's page.
        third = _shown_card(page)
        with page.expect_navigation():
            page.keyboard.press("o")
        assert page.url.endswith(Card.objects.get(pk=third).get_absolute_url())
        assert errors == []
    finally:
        context.close()
