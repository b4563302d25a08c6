"""In Chromium: the card browser filtered, sorted and used to move cards; a card's info
panel; a note deleted from its deck page. Takes the card browser and info panel screenshots
of docs/screenshots/ and the README."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _seed() -> dict[str, Any]:
    from django.utils import timezone

    from recall.decks import services
    from recall.study import services as study_services
    from tests.factories import UserFactory

    user = UserFactory(username="browser", time_zone="UTC")
    http = services.deck_create(owner=user, title="HTTP status codes")
    git = services.deck_create(owner=user, title="Git")
    notes = [
        services.note_create(deck=http, question="What does **301** mean?", answer="Moved"),
        services.note_create(deck=http, question="What does `302` mean?", answer="Found"),
        services.note_create(
            deck=http, kind="cloze", question="{{c1::404}} means not found", tags=["errors"]
        ),
        services.note_create(deck=http, question="What does 418 mean?", answer="A teapot"),
        services.note_create(deck=git, question="What is `HEAD`?", answer="The checkout"),
    ]
    # A history: a month of reviews on three cards, one of them forgotten once.
    start = timezone.now() - timedelta(days=40)
    grades = {notes[0]: [3, 3, 1, 3], notes[1]: [4, 3], notes[4]: [3, 2, 3]}
    for note, sequence in grades.items():
        card = note.cards.get()
        when = start
        for grade in sequence:
            study_services.card_grade(
                user=user, card_id=card.pk, grade=grade, duration_ms=4000, now=when
            )
            when = max(card.study_states.get().due, when + timedelta(hours=1))
    return {"user": user, "http": http, "git": git, "notes": notes}


def test_filter_sort_and_move_cards_then_read_a_card_info(live_server, chromium):
    world = _seed()
    http, git, notes = world["http"], world["git"], world["notes"]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "browser")
        page.goto(f"{live_server.url}/cards/")
        rows = page.locator(".card-table tbody tr[data-card]")
        assert rows.count() == 5

        # Filter: the HTTP deck's reviewed cards, sorted by due date, latest first.
        filters = page.locator("form.card-filters")
        filters.locator("select[name=deck]").select_option(label="HTTP status codes")
        filters.locator("select[name=state]").select_option("review")
        with page.expect_navigation():
            filters.get_by_role("button", name="Filter").click()
        assert rows.count() == 2
        with page.expect_navigation():
            page.locator("a[data-sort=due]").click()
        with page.expect_navigation():
            page.locator("a[data-sort=due]").click()  # a second click: descending
        assert page.locator("th[aria-sort=descending] a[data-sort=due]").count() == 1
        dues = [notes[i].cards.get().study_states.get().due for i in (0, 1)]
        expected = [
            notes[i].cards.get().pk for i in sorted((0, 1), key=lambda i: -dues[i].timestamp())
        ]
        shown = [int(pk) for pk in rows.evaluate_all("rs => rs.map(r => r.dataset.card)")]
        assert shown == expected

        # Back to every card: tick all on the page but Git's, and move them to Git.
        page.goto(f"{live_server.url}/cards/?sort=deck")
        _shot(page, "card-browser")
        page.locator("[data-tick-all]").check()
        git_card = notes[4].cards.get().pk
        page.locator(f"tr[data-card='{git_card}'] input[name=cards]").uncheck()
        bulk = page.locator("#bulk-form")
        bulk.locator("select[name=action]").select_option("move")
        bulk.locator("select[name=target_deck]").select_option(label="Git")
        with page.expect_navigation():
            bulk.get_by_role("button", name="Apply to ticked").click()
        assert "4 notes (4 cards) moved." in page.locator("body").inner_text()
        assert not http.notes.exists() and git.cards.count() == 5

        # The info panel of a card with reviews: its schedule and each grade's before/after.
        page.goto(f"{live_server.url}{notes[0].get_absolute_url()}")
        panel = page.locator(".card-info")
        for fact in ("state", "due", "interval", "stability", "difficulty", "retrievability"):
            assert panel.locator(f"[data-info={fact}]").inner_text().strip() not in ("", "—")
        assert panel.locator("[data-info=lapses]").inner_text() == "1"
        assert panel.locator(".card-history tbody tr").count() == 4
        assert "→" in panel.locator(".card-history tbody tr").first.inner_text()
        panel.scroll_into_view_if_needed()
        _shot(page, "card-info")
        assert errors == []
    finally:
        context.close()


def test_delete_a_note_from_the_deck_page(live_server, chromium):
    world = _seed()
    http, notes = world["http"], world["notes"]
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url, "browser")
        page.goto(f"{live_server.url}{http.get_absolute_url()}")
        item = page.locator(f"li[data-note='{notes[3].pk}']")
        with page.expect_navigation():
            item.get_by_role("link", name="Delete").click()
        assert "Delete this note?" in page.locator("h1").inner_text()
        with page.expect_navigation():
            page.get_by_role("button", name="Delete the note").click()
        assert "Note deleted." in page.locator("body").inner_text()
        assert page.locator(f"li[data-note='{notes[3].pk}']").count() == 0
        assert http.notes.count() == 3
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()


@pytest.mark.parametrize(("width", "side_by_side"), [(1280, True), (900, True), (899, False)])
def test_editor_and_preview_side_by_side_from_900_px(live_server, chromium, width, side_by_side):
    world = _seed()
    note = world["notes"][0]
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url, "browser")
        page.goto(f"{live_server.url}/cards/{note.pk}/edit/")
        form = page.locator(".editor form").bounding_box()
        preview = page.locator(".editor .preview").bounding_box()
        assert form is not None and preview is not None
        beside = preview["x"] >= form["x"] + form["width"] and preview["y"] < form["y"] + 50
        assert beside is side_by_side
        if not side_by_side:
            assert preview["y"] >= form["y"] + form["height"]
        # Ctrl+Enter saves the note.
        page.locator("textarea[name=answer]").fill("Moved for good")
        with page.expect_navigation():
            page.locator("textarea[name=answer]").press("Control+Enter")
        assert "Card saved." in page.locator("body").inner_text()
        note.refresh_from_db()
        assert note.answer == "Moved for good"
    finally:
        context.close()
