"""Import options (given, validated, remembered per deck) and import previews (dry runs)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from recall.decks import importers
from recall.decks.importers.base import ImportOptions, ParsedDeck, SkippedLine
from recall.decks.models import Card, Deck, Note
from recall.decks.services import (
    ImportRejected,
    import_options_clean,
    job_confirm_import,
    job_create_import,
    job_discard_preview,
    notes_import,
    notes_preview,
)
from recall.jobs.models import Job, JobStatus
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = b"# 1. What is a list?\n\nA mutable sequence.\n\n# 2. What is a tuple?\n\nImmutable.\n"
INLINE = b"What is a list?::A mutable sequence.\nWhat is a tuple?::Immutable.\n"
# The same cards with an Obsidian SR vault's own separator.
CUSTOM = b"What is a list?:=A mutable sequence.\nWhat is a tuple?:=Immutable.\n"


@pytest.fixture
def owner():
    return UserFactory(username="demo")


def with_skipped(monkeypatch, *skipped: SkippedLine) -> None:
    """Make the parser report skipped lines (what the one-pass reader does), cards unchanged."""
    real = importers.parse_document

    def parse(filename: str, text: str, options: ImportOptions | None = None) -> ParsedDeck:
        deck = real(filename, text, options)
        deck.skipped = list(skipped)
        return deck

    monkeypatch.setattr(importers, "parse_document", parse)


def counts() -> tuple[int, int, int, int]:
    return Deck.objects.count(), Note.objects.count(), Card.objects.count(), Job.objects.count()


# Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"inline_separator": ""}, "inline_separator must be 1 to 8 characters"),
        ({"inline_separator": "x" * 9}, "inline_separator must be 1 to 8 characters"),
        ({"cloze_bold": "yes"}, "cloze_bold must be true or false"),
        ({"separator": ":="}, "unknown import option(s): separator"),
    ],
)
def test_bad_import_options_are_refused_with_the_setting_named(given, message):
    with pytest.raises(ImportRejected) as exc:
        import_options_clean(given)
    assert message in exc.value.message


def test_clean_options_keep_only_what_was_given():
    assert import_options_clean({"inline_separator": " := "}) == {"inline_separator": ":="}
    assert import_options_clean(None) == {}


# Remembered per deck ------------------------------------------------------------------------


def test_a_deck_remembers_its_options_and_a_reimport_uses_them(owner, seen):
    notes_import(
        owner=owner,
        filename="vault.md",
        data=NOTES,
        options={"inline_separator": ":=", "cloze_bold": True},
    )
    deck = Deck.objects.get(owner=owner)
    assert deck.import_options == {"inline_separator": ":=", "cloze_bold": True}
    assert seen[-1] == ImportOptions(inline_separator=":=", cloze_bold=True)

    # Again, with nothing given: the file is read as last time.
    notes_import(owner=owner, filename="vault.md", data=NOTES)
    assert seen[-1] == ImportOptions(inline_separator=":=", cloze_bold=True)

    # Given options win over the remembered ones, which keep the rest; the deck follows.
    notes_import(owner=owner, filename="vault.md", data=NOTES, options={"inline_separator": "::"})
    assert seen[-1] == ImportOptions(cloze_bold=True)
    deck.refresh_from_db()
    assert deck.import_options == {"cloze_bold": True}


def test_remembered_options_belong_to_their_deck_only(owner, seen):
    DeckFactory(owner=owner, source_name="other.md", import_options={"inline_separator": ":="})
    notes_import(owner=owner, filename="vault.md", data=NOTES)
    assert seen[-1] == ImportOptions()
    notes_import(owner=owner, filename="other.md", data=NOTES)
    assert seen[-1] == ImportOptions(inline_separator=":=")


def test_a_target_deck_by_slug_lends_its_options(owner, seen):
    DeckFactory(owner=owner, slug="vault", import_options={"multiline_separator": "%"})
    notes_import(owner=owner, filename="renamed.md", data=NOTES, deck_slug="vault")
    assert seen[-1] == ImportOptions(multiline_separator="%")


def test_options_an_older_version_remembered_do_not_break_a_reimport(owner, seen):
    DeckFactory(owner=owner, source_name="vault.md", import_options={"gone_setting": 1})
    notes_import(owner=owner, filename="vault.md", data=NOTES, options={"cloze_curly": True})
    assert seen[-1] == ImportOptions(cloze_curly=True)
    assert Deck.objects.get(source_name="vault.md").import_options == {"cloze_curly": True}


def test_every_file_of_a_zip_is_read_with_its_own_decks_options(owner, seen):
    DeckFactory(owner=owner, source_name="b.md", import_options={"inline_separator": ":="})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.md", NOTES)
        archive.writestr("b.md", NOTES)
    notes_import(owner=owner, filename="notes.zip", data=buffer.getvalue())
    assert seen[-2:] == [ImportOptions(), ImportOptions(inline_separator=":=")]


def test_a_custom_separator_reads_an_obsidian_vault_end_to_end(owner):
    summary = notes_import(
        owner=owner, filename="vault.md", data=CUSTOM, options={"inline_separator": ":="}
    )
    assert summary.created == 2
    assert sorted(Note.objects.values_list("question", flat=True)) == [
        "What is a list?",
        "What is a tuple?",
    ]


# Jobs ---------------------------------------------------------------------------------------


def test_an_import_job_keeps_the_options_and_reads_with_them(
    owner, seen, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("vault.md", NOTES)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create_import(
            owner=owner, uploaded_file=upload, options={"multiline_separator": "%"}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.import_options == {"multiline_separator": "%"}
    assert seen == [ImportOptions(multiline_separator="%")]


def test_an_import_job_refuses_bad_options_before_storing_anything(owner):
    with pytest.raises(ImportRejected, match="multiline_separator must fit on one line"):
        job_create_import(
            owner=owner,
            uploaded_file=SimpleUploadedFile("vault.md", NOTES),
            options={"multiline_separator": "?\n"},
        )
    assert not Job.objects.exists()


# Previews -----------------------------------------------------------------------------------


def test_a_preview_counts_cards_by_syntax_lists_skipped_lines_and_writes_nothing(
    owner, monkeypatch
):
    with_skipped(monkeypatch, SkippedLine(7, "Looks::like::a card", "two separators on one line"))
    before = counts()
    preview = notes_preview(owner=owner, filename="python.md", data=INLINE)
    assert counts() == before
    [file] = preview.files
    assert file.cards == 2
    # Today's reader names no syntax per card: the file's layout stands for it.
    assert sum(file.by_syntax.values()) == 2
    assert file.skipped == [
        {"line": 7, "text": "Looks::like::a card", "reason": "two separators on one line"}
    ]
    assert file.deck_id is None
    assert file.deck_title == "Python"
    data = preview.as_dict()
    assert (data["cards"], data["skipped"]) == (2, 1)


def test_a_preview_names_the_deck_a_reimport_updates(owner):
    deck = DeckFactory(owner=owner, title="My Python", source_name="python.md")
    [file] = notes_preview(owner=owner, filename="python.md", data=NOTES).files
    assert (file.deck_id, file.deck_title) == (deck.pk, "My Python")


def test_a_preview_refuses_what_the_import_would_refuse(owner):
    with pytest.raises(ImportRejected, match="no questions found"):
        notes_preview(owner=owner, filename="empty.md", data=b"just a sentence\n")
    with pytest.raises(ImportRejected, match="no deck 'nope'"):
        notes_preview(owner=owner, filename="python.md", data=NOTES, deck_slug="nope")


def test_a_previewed_job_waits_for_confirmation_then_imports(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create_import(
            owner=owner, uploaded_file=SimpleUploadedFile("python.md", NOTES), preview=True
        )
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW
    assert job.result["preview"]["cards"] == 2
    assert job.upload
    assert not Deck.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        job_confirm_import(job=job)
        job_confirm_import(job=job)  # a second click imports nothing more
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Deck.objects.get(owner=owner).notes.count() == 2
    assert "preview" not in job.result


def test_a_discarded_preview_leaves_nothing(owner):
    job = job_create_import(
        owner=owner, uploaded_file=SimpleUploadedFile("python.md", NOTES), preview=True
    )
    storage, name = job.upload.storage, job.upload.name
    assert storage.exists(name)
    job_discard_preview(job=job)
    assert not Job.objects.exists()
    assert not storage.exists(name)


def test_a_refused_preview_keeps_no_job_and_no_file(owner, tmp_path, settings):
    settings.RECALL_UPLOAD_ROOT = str(tmp_path / "uploads")
    with pytest.raises(ImportRejected, match="no questions found"):
        job_create_import(
            owner=owner,
            uploaded_file=SimpleUploadedFile("empty.md", b"just a sentence\n"),
            preview=True,
        )
    assert not Job.objects.exists()
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


# The command --------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_prints_the_preview_and_writes_nothing(tmp_path: Path, owner, monkeypatch):
    with_skipped(monkeypatch, SkippedLine(3, "What::is::this", "two separators on one line"))
    path = tmp_path / "python.md"
    path.write_bytes(NOTES)
    before = counts()
    out, _ = run("import_notes", str(path), "--dry-run")
    assert counts() == before
    assert "python.md: 2 card(s)" in out
    assert "new deck" in out
    assert "line 3: skipped “What::is::this”: two separators on one line" in out
    assert "nothing was written" in out


def test_command_flags_become_import_options(tmp_path: Path, owner, seen):
    path = tmp_path / "vault.md"
    # Headings are not cards with these flags: the file's cards use the custom separator.
    path.write_bytes(CUSTOM)
    run(
        "import_notes",
        str(path),
        "--separator",
        ":=",
        "--reversed-separator",
        ":==",
        "--multiline-separator",
        "%",
        "--multiline-reversed-separator",
        "%%",
        "--cloze",
        "bold,curly",
        "--no-headings-as-cards",
    )
    expected = ImportOptions(
        inline_separator=":=",
        inline_reversed_separator=":==",
        multiline_separator="%",
        multiline_reversed_separator="%%",
        cloze_highlight=False,
        cloze_bold=True,
        cloze_curly=True,
        headings_as_cards=False,
    )
    assert seen == [expected]
    assert Deck.objects.get().import_options == expected.to_dict()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cloze", "italic"], "unknown style(s) italic"),
        (["--separator", "123456789"], "inline_separator must be 1 to 8 characters"),
    ],
)
def test_command_refuses_bad_option_flags(tmp_path: Path, owner, flags, message):
    path = tmp_path / "vault.md"
    path.write_bytes(NOTES)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("import_notes", str(path), *flags)
    assert not Deck.objects.exists()


def test_previews_left_unconfirmed_for_a_day_are_forgotten_with_their_upload(owner):
    from datetime import timedelta

    from django.utils import timezone

    old = job_create_import(
        owner=owner, uploaded_file=SimpleUploadedFile("old.md", NOTES), preview=True
    )
    storage, name = old.upload.storage, old.upload.name
    Job.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=25))
    recent = job_create_import(
        owner=owner, uploaded_file=SimpleUploadedFile("recent.md", NOTES), preview=True
    )
    job_create_import(owner=owner, uploaded_file=SimpleUploadedFile("new.md", NOTES), preview=True)
    assert not Job.objects.filter(pk=old.pk).exists()
    assert not storage.exists(name)
    assert Job.objects.filter(pk=recent.pk).exists()


def test_the_daily_task_forgets_stale_previews_and_is_scheduled(owner):
    from datetime import timedelta

    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from recall.decks.tasks import forget_stale_import_previews

    job = job_create_import(
        owner=owner, uploaded_file=SimpleUploadedFile("old.md", NOTES), preview=True
    )
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=25))
    assert forget_stale_import_previews.delay().get() == 1
    assert not Job.objects.exists()
    scheduled = PeriodicTask.objects.get(task="recall.decks.tasks.forget_stale_import_previews")
    assert scheduled.enabled and scheduled.crontab is not None


SKIPPED_SHAPES = [
    {"python.md": [{"line": 3, "text": "a::b::c", "reason": "two separators"}]},
    [{"file": "python.md", "line": 3, "text": "a::b::c", "reason": "two separators"}],
    [
        {
            "file": "python.md",
            "skipped": [{"line": 3, "text": "a::b::c", "reason": "two separators"}],
        }
    ],
]


@pytest.mark.parametrize("skipped", SKIPPED_SHAPES)
def test_skipped_lines_of_a_result_become_one_warning_each(skipped):
    from recall.decks.selectors import skipped_line_warnings

    assert skipped_line_warnings({"skipped": skipped}) == [
        "python.md:3: skipped “a::b::c”: two separators"
    ]
    assert skipped_line_warnings({"created": 1}) == []


def test_a_real_import_by_command_warns_of_its_skipped_lines(tmp_path: Path, owner, monkeypatch):
    from recall.decks.services.imports import ImportSummary

    real = ImportSummary.as_dict

    def with_skipped(self: ImportSummary) -> dict:
        # What the one-pass reader's summary carries: the skipped lines of every file.
        return {**real(self), "skipped": SKIPPED_SHAPES[0]}

    monkeypatch.setattr(ImportSummary, "as_dict", with_skipped)
    path = tmp_path / "python.md"
    path.write_bytes(NOTES)
    _, err = run("import_notes", str(path))
    assert "warning: python.md:3: skipped “a::b::c”: two separators" in err
    assert Deck.objects.get().notes.count() == 2
