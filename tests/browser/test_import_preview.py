"""In Chromium: upload notes with an option, see the preview (cards by syntax, a skipped line)
before anything is written, then confirm and open the deck."""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.test_journey import SHOTS
from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES = """# Data structures

What is a stack?::A last-in, first-out list.
What is a queue?::A first-in, first-out list.
What is a heap?::A tree where each parent comes before its children.

What is a deque? (see chapter 3)
"""
DEQUE = "What is a deque? (see chapter 3)"


def test_preview_before_anything_is_written_then_import(
    live_server, chromium, tmp_path, monkeypatch
):
    from recall.decks import importers
    from recall.decks.importers.base import ImportOptions, ParsedDeck, SkippedLine
    from recall.decks.models import Deck, Note
    from recall.jobs.models import Job, JobStatus
    from tests.factories import UserFactory

    real = importers.parse_document

    def parse(filename: str, text: str, options: ImportOptions | None = None) -> ParsedDeck:
        # The reader in use may not report skipped lines yet: line 7 stands for one it would.
        deck = real(filename, text, options)
        if not any(s.line == 7 for s in deck.skipped):
            deck.skipped.append(SkippedLine(7, DEQUE, "a question with no answer"))
        return deck

    monkeypatch.setattr(importers, "parse_document", parse)
    user = UserFactory(username="previewer")
    notes = tmp_path / "data-structures.md"
    notes.write_text(NOTES)

    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "previewer")

        page.get_by_role("link", name="Import", exact=True).click()
        page.get_by_label("Notes file").set_input_files(str(notes))
        page.locator("details.import-options summary").click()
        page.get_by_label("Cloze **bold**").select_option("yes")
        page.get_by_role("button", name="Preview").click()

        preview = page.locator("#preview")
        preview.wait_for()
        text = " ".join(preview.inner_text().split())
        assert "Nothing has been imported yet." in text
        assert "3 cards found, 1 line skipped" in text
        assert "new deck “Data structures”" in text
        assert "Read with cloze_bold=True." in text
        syntax_rows = preview.locator("table.preview-syntax tbody tr")
        assert sum(int(r.locator("td").nth(1).inner_text()) for r in syntax_rows.all()) == 3
        skipped = preview.locator("tr.skipped-line", has_text=DEQUE)
        assert skipped.locator("td").first.inner_text() == "7"
        # Nothing written yet: no deck, no note; the upload waits in a previewed job.
        assert not Deck.objects.filter(owner_id=user.pk).exists()
        assert not Note.objects.exists()
        assert Job.objects.get(owner_id=user.pk).status == JobStatus.PREVIEW
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "import-preview.png"), full_page=True)

        page.get_by_role("button", name="Import 3 cards").click()
        page.wait_for_url(re.compile(r"/jobs/\d+/$"))
        page.locator('[data-job-status]:text("Done")').wait_for()
        page.get_by_role("link", name="Open “Data structures”").click()
        page.get_by_role("heading", name="Data structures").wait_for()
        assert "What is a heap?" in page.locator("body").inner_text()
        assert errors == []
    finally:
        context.close()

    deck = Deck.objects.get(owner_id=user.pk)
    assert deck.notes.count() == 3
    assert deck.import_options == {"cloze_bold": True}
