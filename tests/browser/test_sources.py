"""In Chromium: add a local Git repository as a source, see its decks, commit, sync now."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.test_journey import SHOTS
from tests.browser_support import ARGS, CHROMIUM, log_in
from tests.sources.conftest import GitRepo, notes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_a_repository_see_decks_commit_sync_now(live_server, tmp_path, settings):
    from playwright.sync_api import sync_playwright

    from recall.decks.models import Card
    from recall.study.models import ReviewLog
    from recall.study.services import card_grade
    from tests.factories import UserFactory

    if shutil.which("git") is None:
        pytest.skip("the git binary is needed to make the test repository")
    root = tmp_path / "allowed"
    settings.RECALL_SOURCE_ROOTS = [str(root)]
    repo = GitRepo(root / "revision-notes")
    repo.write(
        "python/basics.md",
        notes(
            ("What is a list?", "A mutable sequence."),
            ("What is a tuple?", "An immutable sequence."),
            title="Python basics",
        ),
    )
    repo.write("django/orm.md", notes(("What is a queryset?", "A lazy query."), title="ORM"))
    repo.commit("first notes")
    user = UserFactory(username="gitnotes")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(20_000)
            log_in(page, live_server.url, "gitnotes")

            page.get_by_role("link", name="Sources").click()
            page.get_by_role("link", name="Add a source").click()
            page.get_by_role("textbox", name="Name:", exact=True).fill("Revision notes")
            page.get_by_label("Repository URL or folder").fill(repo.url)
            page.get_by_role("button", name="Add source").click()

            # The first sync ran: one deck per file, named by its title.
            page.get_by_role("link", name="Python basics").wait_for()
            assert page.get_by_role("link", name="ORM").count() == 1
            card = Card.objects.get(question="What is a tuple?")
            card_grade(user=user, card_id=card.pk, grade=3, duration_ms=2000)

            repo.write(
                "python/basics.md",
                notes(
                    ("What is a list?", "A mutable sequence."),
                    ("What is a tuple?", "An immutable, hashable sequence."),
                    title="Python basics",
                ),
            )
            second = repo.commit("tuples are hashable")
            page.get_by_role("button", name="Sync now").click()
            row = page.locator("tr.sync-run", has_text=second[:10])
            row.wait_for()
            assert "python/basics.md modified" in " ".join(row.inner_text().split())
            assert "1 updated" in row.inner_text()
            # The repository's path is this machine's temporary folder: masked in the picture.
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SHOTS / "sources.png"),
                full_page=True,
                mask=[page.locator("[data-source-url]")],
                mask_color="#d8d8d8",
            )

            page.get_by_role("link", name="Python basics").click()
            page.get_by_role("link", name="What is a tuple?").click()
            assert "An immutable, hashable sequence." in page.locator("article.card").inner_text()
            assert second[:10] in page.locator(".card-source").inner_text()
        finally:
            browser.close()

    # Same card, updated in place: its review history is intact.
    card.refresh_from_db()
    assert card.answer == "An immutable, hashable sequence."
    assert ReviewLog.objects.filter(card=card, user_id=user.pk).count() == 1
