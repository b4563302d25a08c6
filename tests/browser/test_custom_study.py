"""In Chromium: set an exam date and see the plan (screenshot for the README), and cram a
tag by keyboard, leaving every card's schedule exactly as it was."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def _deck_with_history(username: str):
    """A deck of twelve notes, half tagged git, eight of them studied over the past weeks."""
    from django.utils import timezone

    from recall.decks import services as decks
    from recall.study import services as study
    from tests.factories import UserFactory

    user = UserFactory(username=username, time_zone="UTC", day_starts_at_hour=4)
    deck = decks.deck_create(owner=user, title="Git and SQL")
    cards = []
    for i in range(12):
        note = decks.note_create(
            deck=deck,
            question=f"Question {i}: what does {'git rebase' if i % 2 else 'a SQL join'} do?",
            answer=f"Answer {i}",
            tags=["git"] if i % 2 else ["sql"],
        )
        cards.append(note.cards.get())
    start = timezone.now() - timedelta(days=30)
    for i, card in enumerate(cards[:8]):
        at = start + timedelta(days=i * 2)
        study.card_grade(user=user, card_id=card.pk, grade=4 if i % 3 else 3, duration_ms=1, now=at)
    return user, deck, cards


def _schedule(user):
    from recall.study.models import CardState

    return sorted(
        CardState.objects.filter(user=user).values_list(
            "card_id", "state", "step", "due", "stability", "difficulty", "reps", "version"
        )
    )


def test_set_an_exam_date_and_see_the_plan(live_server, chromium):
    from recall.study import scheduling
    from recall.study.models import Exam

    user, deck, _ = _deck_with_history("examinee")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "examinee")
        page.get_by_role("link", name="Custom study").click()
        page.wait_for_url("**/study/custom/")
        from django.utils import timezone

        day = scheduling.study_day(user, timezone.now()) + timedelta(days=14)
        form = page.locator("#exam-form")
        form.get_by_label("Deck").select_option(str(deck.pk))
        form.get_by_label("Exam date").fill(day.isoformat())
        form.get_by_label("Target recall").fill("0.9")
        with page.expect_navigation():
            form.get_by_role("button", name="Plan my reviews").click()
        exam = Exam.objects.get(user=user)
        assert page.url.endswith(f"/study/exams/{exam.pk}/")
        assert "Exam plan" in page.locator("h1").inner_text()
        assert page.locator("#exam-chart svg.forecast").is_visible()
        assert page.locator("#exam-plan-table tbody tr").count() == 14
        reviews = int(page.locator('[data-plan="reviews"]').inner_text())
        bars = page.locator("#exam-chart rect.fc-bar")
        assert bars.count() == 14
        assert sum(int(bars.nth(i).get_attribute("data-count")) for i in range(14)) == reviews > 0
        assert page.locator('[data-plan="unreachable"]').inner_text() == "0"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "exam-plan.png"), full_page=True)

        # The plan's cards of today are in the study queue.
        today = int(page.locator('[data-plan="today"]').inner_text())
        page.get_by_role("link", name="Study now").click()
        page.wait_for_url(f"**/study/decks/{deck.pk}/")
        left = int(page.locator('[data-study="remaining"]').inner_text())
        assert left >= min(today, 1)
        assert errors == []
    finally:
        context.close()


def test_cram_a_tag_leaves_the_schedule_untouched(live_server, chromium):
    from django.utils import timezone

    from recall.study import exams
    from recall.study.models import ReviewLog

    user, deck, _ = _deck_with_history("crammer")
    schedule, logs = _schedule(user), ReviewLog.objects.count()
    context = chromium.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "crammer")
        page.goto(f"{live_server.url}/study/custom/")
        form = page.locator("#cram-form")
        form.get_by_label("Tag").fill("git")
        with page.expect_navigation():
            form.get_by_role("button", name="Start cramming").click()
        assert page.url.endswith("/study/cram/")
        assert "never changes your schedule" in page.locator("#study-queues").inner_text()
        seen: list[str] = []
        for step in range(12):
            if page.locator("#study-question").count() == 0:
                break
            seen.append(page.locator("#study-question").inner_text())
            page.keyboard.press("Space")
            with page.expect_navigation():
                page.keyboard.press("1" if step == 0 else "3")  # Again once: it comes back
        assert "Cram finished" in page.locator(".all-done").inner_text()
        tagged = {f"Question {i}" for i in range(1, 12, 2)}
        assert {text.split(":")[0] for text in seen} == tagged
        assert len(seen) == 7 and seen.count(seen[0]) == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert _schedule(user) == schedule
        assert ReviewLog.objects.count() == logs

        # The custom study page and an exam plan fit the phone too.
        exam = exams.exam_set(
            user=user, deck_id=deck.pk, day=timezone.localdate() + timedelta(days=30)
        )
        for path in ("/study/custom/", f"/study/exams/{exam.pk}/"):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert errors == []
    finally:
        context.close()
