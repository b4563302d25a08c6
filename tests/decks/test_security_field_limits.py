"""Issue 19, item 3: a card field has a size limit, the same everywhere; rendering is bounded.

The limit (RECALL_MAX_FIELD_KB, 100 KB by default) is one function, decks.limits: the web
form, the preview, the API, the services, the Markdown/CSV import and the Anki import all
call it. An import with a card over the limit is refused whole, naming the card.
"""

from __future__ import annotations

import tracemalloc

import genanki
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from recall.decks import rendering, services
from recall.decks.limits import FieldTooLong, check_card_text, max_field_bytes
from recall.decks.models import Deck, Note
from recall.decks.services import ImportRejected, notes_import
from recall.jobs.models import Job, JobStatus
from tests.factories import DeckFactory, NoteFactory, UserFactory
from tests.interop.apkg_builders import basic_type, genanki_package

pytestmark = pytest.mark.django_db

HUGE = "x" * (4 * 1024 * 1024)  # the 4 MB answer of the issue


@pytest.fixture
def owner():
    return UserFactory(username="writer")


@pytest.fixture
def card(owner):
    return NoteFactory(deck=DeckFactory(owner=owner), question="Kept?", answer="Kept.")


def test_the_limit_counts_utf8_bytes_and_follows_the_setting(settings):
    assert settings.RECALL_MAX_FIELD_KB == 100
    limit = max_field_bytes()
    check_card_text("a" * limit, field="answer")
    check_card_text("é" * (limit // 2), field="answer")  # two bytes each
    with pytest.raises(FieldTooLong, match=r"the answer is 101 KB long; .* at most 100 KB"):
        check_card_text("a" * (limit + 1), field="answer")
    with pytest.raises(FieldTooLong, match="the question is 101 KB long"):
        check_card_text("é" * (limit // 2 + 1), field="question")
    settings.RECALL_MAX_FIELD_KB = 1
    with pytest.raises(FieldTooLong, match="at most 1 KB"):
        check_card_text("a" * 1025, field="answer")


def test_a_4_mb_edit_is_a_form_error_and_changes_nothing(client, owner, card, monkeypatch):
    real_render = rendering.render_markdown
    rendered: list[int] = []

    def counting(source: str) -> str:
        # Renders for real: a module importing it while patched keeps working.
        rendered.append(len(source))
        return real_render(source)

    monkeypatch.setattr(rendering, "render_markdown", counting)
    client.force_login(owner)
    url = reverse("decks:card-edit", args=[card.pk])
    response = client.post(url, {"question": "Q?", "answer": HUGE})
    assert response.status_code == 400
    [error] = response.context["form"].errors["answer"]
    assert "The answer is 4,096 KB long" in error and "at most 100 KB" in error
    assert rendered == []  # refused before any rendering
    card.refresh_from_db()
    assert (card.question, card.answer) == ("Kept?", "Kept.")


def test_an_edit_renders_each_text_once(client, owner, card, monkeypatch):
    real_render = rendering.render_markdown
    rendered: list[str] = []

    def counting(source: str) -> str:
        rendered.append(source)
        return real_render(source)

    monkeypatch.setattr(rendering, "render_markdown", counting)
    client.force_login(owner)
    url = reverse("decks:card-edit", args=[card.pk])
    response = client.post(url, {"question": "New *question*?", "answer": "New answer."})
    assert response.status_code == 302
    assert sorted(rendered) == ["New *question*?", "New answer."]
    card.refresh_from_db()
    assert card.question_html == "<p>New <em>question</em>?</p>\n"
    rendered.clear()
    services.note_set_fields(note=card, position=5)  # no text changed: nothing to render
    assert rendered == []


def test_the_preview_refuses_more_than_a_card_may_hold(client, owner):
    client.force_login(owner)
    response = client.post(reverse("decks:markdown-preview"), {"text": HUGE})
    assert response.status_code == 400
    assert "at most 100 KB" in response.json()["error"]["fields"]["text"][0]


def test_the_api_refuses_a_4_mb_field_with_a_400(owner, card):
    api = APIClient()
    api.force_authenticate(owner)
    created = api.post(
        "/api/v1/notes/", {"deck": card.deck_id, "question": "Q?", "answer": HUGE}, format="json"
    )
    assert created.status_code == 400
    assert "at most 100 KB" in created.json()["error"]["fields"]["answer"][0]
    edited = api.patch(f"/api/v1/notes/{card.pk}/", {"question": HUGE}, format="json")
    assert edited.status_code == 400
    assert "The question is 4,096 KB long" in edited.json()["error"]["fields"]["question"][0]
    assert Note.objects.count() == 1
    card.refresh_from_db()
    assert card.question == "Kept?"


def test_the_services_hold_the_limit_for_every_caller(owner, card):
    with pytest.raises(FieldTooLong):
        services.note_update(note=card, answer=HUGE)
    with pytest.raises(FieldTooLong):
        services.note_create(deck=card.deck, question=HUGE)
    assert Note.objects.count() == 1


@pytest.mark.parametrize(
    ("filename", "content", "where"),
    [
        (
            "notes.md",
            "# Deck\n\n## Small?\n\nFine.\n\n## What is huge?\n\n{huge}\n\n"
            "## Also huge?\n\n{huge}\n",
            "notes.md, line 7, card 2 “What is huge?”",
        ),
        (
            "cards.csv",
            "question,answer\nSmall?,Fine.\nWhat is huge?,{huge}\n",
            "cards.csv, line 3, card 2 “What is huge?”",
        ),
    ],
)
def test_an_import_with_a_card_over_the_limit_is_refused_whole(owner, filename, content, where):
    data = content.replace("{huge}", "y" * (200 * 1024)).encode()
    with pytest.raises(ImportRejected) as refused:
        notes_import(owner=owner, filename=filename, data=data)
    message = refused.value.message
    assert message.startswith(where) and "What is huge?" in message
    assert "the answer is 200 KB long" in message and "at most 100 KB" in message
    assert message.endswith("Nothing was imported.")
    if filename == "notes.md":
        assert "(1 more card too long as well)" in message
    assert Deck.objects.count() == 0 and Note.objects.count() == 0


def test_an_import_job_with_a_card_over_the_limit_fails_with_that_message(owner):
    from django.core.files.base import ContentFile

    job = Job(owner=owner, filename="notes.md")
    job.upload.save("notes.md", ContentFile(f"## Huge?\n\n{'z' * 150_000}\n".encode()))
    services.job_run_import(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "card 1 “Huge?”: the answer is 147 KB long" in job.message
    assert Note.objects.count() == 0


def test_an_anki_field_over_the_limit_refuses_the_package(owner, tmp_path, monkeypatch):
    converted: list[int] = []
    from recall.decks.importers import apkg

    real_convert = apkg.html_field_to_markdown

    def converting(field_html: str) -> str:
        converted.append(len(field_html))
        return real_convert(field_html)

    monkeypatch.setattr(apkg, "html_field_to_markdown", converting)
    notes = [
        genanki.Note(model=basic_type(), fields=["Small?", "Fine."]),
        genanki.Note(model=basic_type(), fields=["Huge?", "<b>w</b>" * 20_000]),
    ]
    data = genanki_package(tmp_path, {"Deck": notes})
    with pytest.raises(ImportRejected) as refused:
        notes_import(owner=owner, filename="big.apkg", data=data)
    message = refused.value.message
    assert message.startswith("big.apkg: note ")
    assert "the field “Back” is 157 KB long" in message and "at most 100 KB" in message
    assert max(converted) < 1024  # the big field was never converted (nor rendered)
    assert Deck.objects.count() == 0 and Note.objects.count() == 0


def _table(size: int) -> str:
    row = "|" + "a|" * 20 + "\n"
    return ("|" + "h|" * 20 + "\n" + "|" + "-|" * 20 + "\n" + row * (size // len(row)))[:size]


def _render_peak(text: str) -> int:
    rendering.render_markdown("warm | up\n-|-\na|b\n")  # caches and lexers loaded first
    tracemalloc.start()
    try:
        rendering.render_markdown(text)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# markdown-it keeps a token per table cell, emphasis or link: about 700 bytes a byte for a
# table of one-letter cells, the worst shape measured (emphasis ~370, links ~230).
BYTES_PER_INPUT_BYTE = 1000


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "shape",
    [_table, lambda size: "*a* " * (size // 4), lambda size: "[a](b) " * (size // 7)],
    ids=["table", "emphasis", "links"],
)
def test_rendering_memory_is_a_bounded_multiple_of_the_field_limit(shape):
    limit = max_field_bytes()
    text = shape(limit)
    check_card_text(text, field="answer")  # the largest text any path lets through
    peak = _render_peak(text)
    assert peak < BYTES_PER_INPUT_BYTE * len(text)
    # A multiple, not worse: half the text takes about half the memory.
    assert peak < 2.5 * _render_peak(shape(limit // 2))
