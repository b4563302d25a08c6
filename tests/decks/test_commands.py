"""The import_notes, export_deck and load_sample_deck management commands."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from recall.decks.management.commands.load_sample_deck import sample_files
from recall.decks.models import Deck, Note
from tests.factories import DeckFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = "# 1. What is a list?\n\nA mutable sequence.\n\n# 2. What is a tuple?\n\nImmutable.\n"
MORE = "# 1. What is a set?\n\nUnique items.\n"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo():
    return UserFactory(username="demo")


def test_import_notes_file_then_again(tmp_path: Path, demo):
    path = tmp_path / "python.md"
    path.write_text(NOTES)

    out, _ = run("import_notes", str(path))
    assert (
        "Imported 1 file(s) into 1 deck(s) for demo: 2 created, 0 updated, "
        "0 archived, 0 unchanged." in out
    )

    path.write_text(NOTES.replace("Immutable.", "Immutable and hashable."))
    out, _ = run("import_notes", str(path))
    assert "0 created, 1 updated, 0 archived, 1 unchanged" in out
    assert Deck.objects.get().source_name == "python.md"


def test_import_notes_walks_folders_and_shows_progress(tmp_path: Path, demo):
    (tmp_path / "notes" / "python").mkdir(parents=True)
    (tmp_path / "notes" / ".git").mkdir()
    (tmp_path / "notes" / "python" / "basics.md").write_text(NOTES)
    (tmp_path / "notes" / "sets.markdown").write_text(MORE)
    (tmp_path / "notes" / ".git" / "HEAD.md").write_text(MORE)
    (tmp_path / "notes" / "picture.png").write_bytes(b"\x89PNG")

    out, err = run("import_notes", str(tmp_path / "notes"))

    assert sorted(Deck.objects.values_list("source_name", flat=True)) == [
        "python/basics.md",
        "sets.markdown",
    ]
    assert "python/basics.md: 2 created" in out
    assert "sets.markdown: 1 created" in out
    assert "3 created" in out
    assert "2/2" in err  # the tqdm bar, shown for more than one file


def test_import_notes_zip(tmp_path: Path, demo):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.md", NOTES)
        archive.writestr("b/c.md", MORE)
    path = tmp_path / "notes.zip"
    path.write_bytes(buffer.getvalue())

    out, _ = run("import_notes", str(path))

    assert "into 2 deck(s)" in out
    assert Note.objects.count() == 3


def test_import_notes_bad_file_imports_nothing(tmp_path: Path, demo):
    (tmp_path / "good.md").write_text(NOTES)
    (tmp_path / "zbad.md").write_bytes(b"\x00\x01\x02\x03")

    with pytest.raises(CommandError) as info:
        run("import_notes", str(tmp_path))

    assert str(info.value) == "zbad.md looks like a binary file, not text (nothing was imported)"
    assert Deck.objects.count() == 0


def test_import_notes_clear_errors(tmp_path: Path, demo):
    with pytest.raises(CommandError, match="no such file or folder"):
        run("import_notes", str(tmp_path / "missing.md"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="no notes files found"):
        run("import_notes", str(tmp_path / "empty"))
    (tmp_path / "x.md").write_text(NOTES)
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run("import_notes", str(tmp_path / "x.md"), "--owner", "nobody")
    with pytest.raises(CommandError, match="you have no deck 'nope'"):
        run("import_notes", str(tmp_path / "x.md"), "--deck", "nope")


def test_import_notes_refuses_an_oversized_file_before_reading_it(tmp_path: Path, demo, settings):
    settings.RECALL_MAX_UPLOAD_BYTES = 20
    (tmp_path / "big.md").write_text(NOTES)
    with pytest.raises(CommandError, match=r"big\.md is too large"):
        run("import_notes", str(tmp_path / "big.md"))
    assert Deck.objects.count() == 0


def test_import_notes_renamed_file_with_deck(tmp_path: Path, demo):
    (tmp_path / "old.md").write_text(NOTES)
    run("import_notes", str(tmp_path / "old.md"))
    deck = Deck.objects.get()
    (tmp_path / "old.md").rename(tmp_path / "new.md")

    out, _ = run("import_notes", str(tmp_path / "new.md"), "--deck", deck.slug)

    assert "0 created, 0 updated, 0 archived, 2 unchanged" in out
    deck.refresh_from_db()
    assert deck.source_name == "new.md"


def test_default_owner_is_the_only_superuser_else_demo(tmp_path: Path):
    (tmp_path / "x.md").write_text(NOTES)
    with pytest.raises(CommandError, match="--owner"):
        run("import_notes", str(tmp_path / "x.md"))

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    out, _ = run("import_notes", str(tmp_path / "x.md"))
    assert "for admin" in out
    assert Deck.objects.get().owner == admin

    UserFactory(username="root", is_superuser=True)
    UserFactory(username="demo")
    out, _ = run("import_notes", str(tmp_path / "x.md"))
    assert "for demo" in out


def test_export_deck_writes_markdown_that_imports_back(tmp_path: Path, demo):
    (tmp_path / "python.md").write_text(NOTES)
    run("import_notes", str(tmp_path / "python.md"))
    deck = Deck.objects.get()
    target = tmp_path / "out.md"

    out, _ = run("export_deck", deck.slug, "-o", str(target), "--owner", "demo")

    assert f"Wrote {deck.slug}" in out
    text = target.read_text()
    assert "## 1. What is a list?" in text
    run("import_notes", str(target))
    copy = Deck.objects.get(source_name="out.md")
    assert list(copy.notes.values_list("question", "answer")) == list(
        deck.notes.values_list("question", "answer")
    )


def test_export_deck_errors(tmp_path: Path, demo):
    with pytest.raises(CommandError, match="demo has no deck 'nope'"):
        run("export_deck", "nope", "-o", str(tmp_path / "x.md"))
    with pytest.raises(CommandError, match="unknown format 'docx'"):
        run("export_deck", "nope", "-o", str(tmp_path / "x.md"), "--format", "docx")


def test_load_sample_deck_creates_demo_and_is_idempotent():
    out, _ = run("load_sample_deck")

    assert "Created user 'demo' with password 'demo'" in out
    # A login always comes with its request (django-axes checks who is trying).
    demo = authenticate(RequestFactory().post("/accounts/login/"), username="demo", password="demo")
    assert demo is not None
    names = {p.name for p in sample_files()}
    assert "python-interview-basics.md" in names
    assert set(Deck.objects.filter(owner=demo).values_list("source_name", flat=True)) == names
    sample = Deck.objects.get(source_name="python-interview-basics.md")
    assert sample.notes.count() == 12
    assert sample.references.count() == 4
    assert "select_related" in " ".join(sample.notes.values_list("question", flat=True))
    cards = Note.objects.count()

    out, _ = run("load_sample_deck")
    assert "exists" in out
    assert ", 0 created, 0 updated, 0 archived," in out
    assert Note.objects.count() == cards


def test_rerender_cards_updates_stale_html_only():
    deck = DeckFactory()
    linked = NoteFactory(deck=deck, question="Where?", answer="See https://example.com/docs")
    plain = NoteFactory(deck=deck, question="Plain?", answer="Nothing to link.")
    other = NoteFactory(question="Elsewhere?", answer="Also https://example.org")
    # HTML as an older renderer left it: the URL as text.
    Note.objects.filter(pk__in=[linked.pk, other.pk]).update(answer_html="<p>old</p>\n")

    out, err = run("rerender_cards", "--deck", str(deck.pk))

    linked.refresh_from_db()
    assert '<a href="https://example.com/docs"' in linked.answer_html
    assert "1 card rendered anew" in out
    assert "2/2" in err  # the progress bar
    assert Note.objects.get(pk=other.pk).answer_html == "<p>old</p>\n"  # another deck
    assert Note.objects.get(pk=plain.pk).answer_html == plain.answer_html
    out, _ = run("rerender_cards")
    assert "1 card rendered anew" in out  # the other deck's card; the first is current
    with pytest.raises(CommandError, match="no deck with id 0"):
        run("rerender_cards", "--deck", "0")
