"""In Chromium, by keyboard: a deck of basic, reversed and cloze notes is studied card by card.

Every front hides its answer (the front's DOM text holds none of the hidden words), Space
reveals it, every prompt is asked once, a note's other cards wait until the next study day,
and the counts shown are what is then served.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.browser_support import ARGS, CHROMIUM, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLOZE = (
    "In Django, {{c1::`select_related`}} follows foreign keys with a join, while "
    "{{c2::prefetch_related}} runs a {{c2::separate query::how many?}}."
)


def _deck() -> tuple[Any, dict[int, dict[str, list[str]]]]:
    """The deck, and for each card what its front must hide and show."""
    from recall.decks import services
    from tests.factories import UserFactory

    user = UserFactory(username="learner", time_zone="UTC", day_starts_at_hour=4)
    deck = services.deck_create(owner=user, title="Mixed kinds")
    services.note_create(deck=deck, question="What is WSGI?", answer="A synchronous interface")
    services.note_create(
        deck=deck, kind="reversed", question="HEAD", answer="the commit you have checked out"
    )
    services.note_create(deck=deck, kind="cloze", question=CLOZE)
    expect: dict[int, dict[str, list[str]]] = {}
    for card in deck.cards.select_related("note").order_by("position", "ordinal"):
        note = card.note
        if note.kind == "cloze":
            hidden = ["select_related"] if card.ordinal == 1 else ["prefetch_related", "separate"]
            shown = ["prefetch_related", "separate query"] if card.ordinal == 1 else ["select_"]
        elif card.ordinal == 2:
            hidden, shown = ["HEAD"], [note.answer]
        else:
            hidden, shown = [note.answer], [note.question]
        expect[card.pk] = {"hidden": hidden, "shown": shown}
    return deck, expect


def _counts(page) -> dict[str, int]:
    return {
        queue: int(page.locator(f'[data-queue="{queue}"]').inner_text())
        for queue in ("new", "learning", "review")
    }


def _study_day(page, url: str, expect: dict[int, dict[str, list[str]]]) -> list[int]:
    """Study until the queue is empty, checking each front and the counts; the card ids."""
    from recall.decks.models import Card

    page.goto(url)
    served: list[int] = []
    first = _counts(page)
    total = sum(first.values())
    for step in range(10):
        counts = _counts(page)
        remaining = int(page.locator('[data-study="remaining"]').inner_text())
        assert remaining == sum(counts.values()) == total - step
        if page.locator("#study-question").count() == 0:
            assert remaining == 0
            return served
        card_id = int(page.locator('#grade-form input[name="card_id"]').get_attribute("value"))
        front = page.locator("#study-question").text_content() or ""
        for word in expect[card_id]["hidden"]:
            assert word not in front, (card_id, word, front)
        for word in expect[card_id]["shown"]:
            assert word in front, (card_id, word, front)
        assert page.locator("#study-answer").is_hidden()
        page.keyboard.press("Space")
        page.locator("#study-answer").wait_for(state="visible")
        back = page.locator("#study-answer").inner_text()
        for word in expect[card_id]["hidden"]:
            assert word in back
        # A cloze back takes the front's place; other backs show under their front.
        cloze = Card.objects.select_related("note").get(pk=card_id).note.kind == "cloze"
        assert page.locator("#study-question").is_hidden() == cloze
        served.append(card_id)
        with page.expect_navigation():
            page.keyboard.press("4")  # Easy: the card graduates, not asked again today
    raise AssertionError("the queue never emptied")


def test_every_prompt_once_siblings_next_day_counts_true(live_server):
    from playwright.sync_api import sync_playwright

    from recall.decks.models import Card

    deck, expect = _deck()
    url = f"{live_server.url}/study/decks/{deck.pk}/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            log_in(page, live_server.url, "learner")

            # The cloze card's answer shows its code as code.
            day_one = _study_day(page, url, expect)
            notes = [Card.objects.get(pk=pk).note_id for pk in day_one]
            # One card per note: the first of each, its siblings buried until tomorrow.
            assert len(day_one) == 3 and len(set(notes)) == 3
            assert {Card.objects.get(pk=pk).ordinal for pk in day_one} == {1}
            page.goto(url)
            assert _counts(page) == {"new": 0, "learning": 0, "review": 0}

            # The next study day (the server's clock moves; the browser's does not matter).
            with time_machine.travel(timezone.now() + timedelta(days=1), tick=True):
                day_two = _study_day(page, url, expect)
            assert len(day_two) == 2
            assert sorted(day_one + day_two) == sorted(expect)  # every prompt exactly once
            assert errors == []
        finally:
            browser.close()


def test_cloze_back_highlights_code_inside_a_deletion(live_server):
    from playwright.sync_api import sync_playwright

    deck, _expect = _deck()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_context().new_page()
            page.set_default_timeout(15_000)
            log_in(page, live_server.url, "learner")
            page.goto(f"{live_server.url}/study/decks/{deck.pk}/")
            # The queue serves the deck in order: the basic note, HEAD, then cloze 1.
            for _ in range(2):
                page.keyboard.press("Space")
                with page.expect_navigation():
                    page.keyboard.press("4")
            front = page.locator("#study-question")
            assert re.search(r"\[…\]", front.text_content() or "")
            page.keyboard.press("Space")
            mark = page.locator("#study-answer mark.cloze code")
            mark.wait_for()
            assert mark.inner_text() == "select_related"
        finally:
            browser.close()
