"""In Chromium, by keyboard: a three-question mock interview, one grade overridden, then the
report. Takes the screenshots of interview mode in docs/screenshots/ and the README."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = ROOT / "docs" / "screenshots"
ANSWERS = ROOT / "bench" / "data" / "interview_answers.json"


def _good_answers() -> dict[str, str]:
    """A good typed answer per question: the hand-graded set's first "good" one."""
    out: dict[str, str] = {}
    for item in json.loads(ANSWERS.read_text(encoding="utf-8"))["answers"]:
        if item["grade"] == "good":
            out.setdefault(item["question"].lower().strip(" ?."), item["answer"])
    return out


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_three_question_mock_interview_by_keyboard(live_server, chromium, flagship_path):
    from recall.decks.services import notes_import
    from recall.study.models import ReviewLog
    from tests.factories import UserFactory

    user: Any = UserFactory(username="candidate", time_zone="UTC")
    notes_import(owner=user, filename=flagship_path.name, data=flagship_path.read_bytes())
    answers = _good_answers()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        page = context.new_page()
        # The first answer loads the sentence model in the server (seconds on a busy machine).
        page.set_default_timeout(120_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "candidate")

        page.get_by_role("link", name="Interview", exact=True).click()
        page.wait_for_url(f"{live_server.url}/interview/")
        questions = page.get_by_label("Questions")
        questions.fill("3")
        with page.expect_navigation():
            questions.press("Enter")
        assert re.search(r"/interview/\d+/$", page.url)

        typed: list[str] = []
        for n in range(1, 4):
            assert page.locator("h1").inner_text() == f"Question {n} of 3"
            asked = page.locator("#interview-question").inner_text().lower().strip(" ?.")
            answer = answers.get(asked, "I am not sure; something about Django.")
            typed.append(answer)
            # The answer box has the focus: type, then Ctrl+Enter submits.
            page.keyboard.type(answer)
            with page.expect_navigation():
                page.keyboard.press("Control+Enter")
            result = page.locator("#interview-result")
            assert result.is_visible()
            assert "key points matched by meaning" in result.inner_text()
            suggested = int(page.locator("#suggested-grade").get_attribute("data-grade"))
            if n == 2:
                _shot(page, "interview")
                # Override the suggestion: 1 (Again).
                page.keyboard.press("1")
                assert page.locator('input[name="grade"][value="1"]').is_checked()
            else:
                assert page.locator(f'input[name="grade"][value="{suggested}"]').is_checked()
            with page.expect_navigation():
                page.keyboard.press("Enter")

        page.wait_for_url(re.compile(r"/interview/\d+/report/$"))
        assert page.locator("h1").inner_text() == "Interview report"
        rows = page.locator("table.interview-report tbody tr")
        assert rows.count() == 3
        assert rows.nth(1).locator("td").nth(3).inner_text() == "Again"
        # The overridden question is among the notes to reread, with a link to its note.
        reread = page.locator("#interview-reread a")
        assert reread.count() >= 1
        assert re.search(r"/cards/\d+/$", reread.first.get_attribute("href"))
        _shot(page, "interview-report")

        logs = list(ReviewLog.objects.filter(user=user).order_by("id"))
        assert [log.typed_answer for log in logs] == typed
        assert logs[1].grade == 1
        assert all(log.interview_score is not None for log in logs)
        assert errors == []
    finally:
        context.close()
