"""In Chromium: every main page fits a 390 px phone in both themes, and the small fixes of the
interface hold on screen (readable chart labels, a non-error focus ring, failed jobs, favicon).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

import pytest
from django.db import OperationalError

from tests.browser_support import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_CODE = "queryset = " + ".".join(f"filter(field_{i}=value_{i})" for i in range(12))


# The innermost elements that reach past the viewport, to say what to fix.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 0.5))
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def site(live_server):
    """A user with a bit of everything: decks, tagged Markdown cards, links, jobs, a source."""
    from django.utils import timezone

    from recall.decks.models import Link, LinkStatus, Reference, Visibility
    from recall.jobs.models import Job, JobStatus
    from recall.sources.models import Source
    from tests.factories import DeckFactory, NoteFactory, TagFactory, UserFactory

    user: Any = UserFactory(username="phone")
    deck: Any = DeckFactory(
        owner=user,
        title="Django ORM and the query planner",
        slug="orm",
        visibility=Visibility.PUBLIC,
    )
    tag = TagFactory(owner=user, name="queries")
    card: Any = None
    for i in range(4):
        card = NoteFactory(
            deck=deck,
            question=f"What does {{{{c1::select_related}}}} do in `case {i}`?",
            answer=f"It joins.\n\n```python\n{LONG_CODE}\n```\n\nSee https://docs.example.com/"
            f"{'very-long-path-segment/' * 6}{i}",
        )
        card.tags.add(tag)
    for i in range(3):
        url = f"https://docs.example.com/{'a-rather-long-documentation-path/' * 4}{i}"
        link = Link.objects.create(
            deck=deck, url=url, status=LinkStatus.BROKEN, http_status=404, checked_at=timezone.now()
        )
        link.notes.add(card)
        Reference.objects.create(deck=deck, position=i, title=f"Reference {i}", url=url)
    other = UserFactory(username="author")
    DeckFactory(
        owner=other,
        title="A public deck by someone else with a long title",
        visibility=Visibility.PUBLIC,
    )
    failed = Job.objects.create(
        owner=user,
        filename="broken-notes-with-a-long-name.md",
        status=JobStatus.FAILED,
        progress=3,
        total=10,
        message="Line 12: the file is not valid UTF-8.",
    )
    Source.objects.create(
        owner=user,
        name="My notes repository",
        url="https://git.example.com/someone/a-long-repository-name.git",
        last_synced_at=timezone.now() - dt.timedelta(hours=2),
        last_commit="0123456789abcdef",
    )
    return {"base": live_server.url, "deck": deck, "card": card, "job": failed, "user": user}


def _logged_in(chromium, site, **options):
    context = chromium.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, site["base"], "phone")
    return page


def _main_pages(site) -> list[str]:
    deck, card, job = site["deck"], site["card"], site["job"]
    return [
        "/",
        "/decks/",
        f"/decks/{deck.pk}/",
        f"/cards/{card.pk}/",
        f"/cards/{card.pk}/edit/",
        "/cards/",
        f"/decks/{deck.pk}/notes/new/",
        "/study/",
        "/interview/",
        "/search/?q=select_related",
        f"/search/?tag=queries&deck={deck.slug}",
        "/import/",
        f"/jobs/{job.pk}/",
        "/accounts/profile/",
        "/accounts/tokens/",
        "/gallery/",
        "/sources/",
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_main_page_fits_a_phone_without_sideways_scroll(chromium, site, scheme):
    page = _logged_in(chromium, site, viewport=PHONE, color_scheme=scheme)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    too_wide = {}
    for path in _main_pages(site):
        response = page.goto(f"{site['base']}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = (width, page.evaluate(WIDEST))
    assert too_wide == {}, f"pages wider than {PHONE['width']} px ({scheme}): {too_wide}"
    assert missing == []  # no favicon (or any other) 404


@pytest.mark.parametrize("width", [390, 1280])
def test_chart_labels_are_at_least_12px_and_not_clipped(chromium, site, width):
    page = _logged_in(chromium, site, viewport={"width": width, "height": 900})
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg text.chart-label')].map(t => {
             const svg = t.ownerSVGElement, box = t.getBBox(), view = svg.viewBox.baseVal;
             return {size: parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a,
                     right: box.x + box.width, width: view.width, text: t.textContent};
           })"""
    )
    assert len(sizes) > 5
    small = [s for s in sizes if s["size"] < 12]
    assert small == []
    clipped = [s for s in sizes if s["right"] > s["width"] + 0.5]
    assert clipped == []


def test_focus_ring_is_not_the_error_colour(chromium, site):
    page = _logged_in(chromium, site, viewport={"width": 1280, "height": 900})
    page.goto(f"{site['base']}/accounts/tokens/")
    page.get_by_label("Name").focus()
    page.keyboard.press("Tab")  # keyboard focus shows the ring (:focus-visible)
    colours = page.evaluate(
        """() => {
             const probe = document.createElement('p');
             probe.className = 'error-text'; document.body.append(probe);
             return {ring: getComputedStyle(document.activeElement).outlineColor,
                     error: getComputedStyle(probe).color};
           }"""
    )
    assert colours["ring"] != colours["error"]
    red, _green, blue = (int(v) for v in colours["ring"][4:-1].split(",")[:3])
    assert blue > red  # the accent's blue, not an orange or red that reads as an error


def test_a_job_that_fails_while_watched_turns_red(chromium, site):
    from recall.jobs.models import Job, JobStatus

    job = Job.objects.create(
        owner=site["user"], filename="watched.md", status=JobStatus.RUNNING, progress=4, total=10
    )
    page = _logged_in(chromium, site, viewport=PHONE)
    page.goto(f"{site['base']}/jobs/{job.pk}/")
    accent = page.evaluate("getComputedStyle(document.querySelector('[data-job-bar]')).accentColor")
    # The live server's thread polls the job in the same in-memory SQLite database, whose
    # shared cache locks a table while it is read: try again until the write gets its turn.
    for _attempt in range(50):
        try:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message="Bad file.")
            break
        except OperationalError:
            time.sleep(0.1)
    else:
        pytest.fail("the job table stayed locked")
    page.wait_for_selector("#job[data-job-state=failed]")
    state = page.evaluate(
        """() => ({bar: getComputedStyle(document.querySelector('[data-job-bar]')).accentColor,
                   value: document.querySelector('[data-job-bar]').value,
                   max: document.querySelector('[data-job-bar]').max,
                   status: document.querySelector('[data-job-status]').className,
                   text: document.querySelector('[data-job-status]').textContent,
                   message: document.querySelector('[data-job-message]').textContent})"""
    )
    assert state["bar"] != accent  # from the accent colour to the error colour
    assert state["value"] < state["max"]
    assert "status-failed" in state["status"] and state["text"] == "Failed"
    assert "Bad file." in state["message"]


def test_card_editor_form_and_preview_share_a_wide_screen(chromium, site):
    page = _logged_in(chromium, site, viewport={"width": 1280, "height": 900})
    page.goto(f"{site['base']}/cards/{site['card'].pk}/edit/")
    form = page.locator(".editor form textarea").first.bounding_box()
    preview = page.locator(".editor .preview").bounding_box()
    assert form is not None and preview is not None
    # Two equal columns, whatever the width of the code in the preview.
    assert form["width"] > 350 and abs(form["width"] - preview["width"]) < 60
