"""Syncing a source from a real Git repository: imports, edits, renames, deletions, rewrites."""

from __future__ import annotations

import pytest

from recall.decks.models import Deck, Note
from recall.jobs.models import Job
from recall.sources import services
from recall.sources.models import SourceFile, SyncRun, SyncStatus
from tests.factories import UserFactory
from tests.sources.conftest import notes

pytestmark = pytest.mark.django_db

PYTHON = notes(
    ("What is a list?", "A mutable sequence."),
    ("What is a tuple?", "An immutable sequence."),
    title="Python",
)
DJANGO = notes(("What is a queryset?", "A lazy database query."), title="Django")


def _add(owner, repo, **options):
    return services.source_create(owner=owner, name="My notes", url=repo.url, **options)


def _sync(source):
    from django.test import TestCase

    # The task is queued on commit (eager in tests): run those callbacks as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.sync_request(source=source)
    run.refresh_from_db()
    return run


def test_first_sync_makes_one_deck_per_file_with_line_and_commit(repo):
    repo.write("python.md", PYTHON)
    repo.write("web/django.md", DJANGO)
    repo.write("README.txt", "not notes")
    head = repo.commit()
    source = _add(UserFactory(), repo)

    run = _sync(source)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.commit == head
    assert run.created == 3
    assert sorted(f["path"] for f in run.files_changed) == ["python.md", "web/django.md"]
    card = Note.objects.get(question="What is a tuple?")
    assert card.source_file == "python.md"
    assert card.source_line == 7
    record = SourceFile.objects.get(path="python.md")
    assert record.commit == head and record.deck_id == card.deck_id
    assert Deck.objects.filter(owner=source.owner).count() == 2
    source.refresh_from_db()
    assert source.last_commit == head and source.last_error == ""
    job = Job.objects.get(pk=run.job_id)
    assert job.status == "succeeded" and job.result["created"] == 3


def test_edit_rename_and_delete_keep_cards_and_archive_decks(repo):
    from recall.study.models import ReviewLog
    from recall.study.services import card_grade

    repo.write("python.md", PYTHON)
    repo.write("web/django.md", DJANGO)
    repo.write("old.md", notes(("What is old?", "Gone soon.")))
    repo.commit()
    owner = UserFactory()
    source = _add(owner, repo)
    _sync(source)
    tuple_card = Note.objects.get(question="What is a tuple?")
    queryset_card = Note.objects.get(question="What is a queryset?")
    old_deck = Note.objects.get(question="What is old?").deck
    studied = tuple_card.cards.get()
    card_grade(user=owner, card_id=studied.pk, grade=3, duration_ms=1000)

    repo.write(
        "python.md",
        notes(
            ("What is a tuple?", "An immutable sequence, hashable if its items are."),
            ("What is a set?", "An unordered collection."),
            title="Python",
        ),
    )
    (repo.path / "frameworks").mkdir()
    repo.git("mv", "web/django.md", "frameworks/django.md")
    repo.git("rm", "-q", "old.md")
    second = repo.commit("edit, rename, delete")
    run = _sync(source)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    changes = {f["path"]: f["change"] for f in run.files_changed}
    assert changes == {
        "python.md": "modified",
        "frameworks/django.md": "renamed",
        "old.md": "removed",
    }
    assert (run.created, run.updated) == (1, 1)
    assert run.decks_archived == 1
    tuple_card.refresh_from_db()
    assert "hashable" in tuple_card.answer
    assert tuple_card.source_line == 3
    assert ReviewLog.objects.filter(card=studied).count() == 1
    assert Note.objects.get(question="What is a list?").is_archived
    queryset_card.refresh_from_db()
    assert queryset_card.source_file == "frameworks/django.md"
    assert not queryset_card.is_archived
    assert Deck.objects.filter(pk=old_deck.pk).exists()
    assert not Note.objects.filter(deck=old_deck, is_archived=False).exists()
    assert SourceFile.objects.get(path="frameworks/django.md").commit == second
    assert SourceFile.objects.get(path="old.md").removed


def test_unchanged_repository_syncs_to_nothing(repo):
    repo.write("python.md", PYTHON)
    repo.commit()
    source = _add(UserFactory(), repo)
    _sync(source)
    run = _sync(source)
    assert run.status == SyncStatus.SUCCEEDED
    assert run.files_changed == [] and run.created == 0 and run.updated == 0
    assert Note.objects.count() == 2


def test_force_pushed_history_syncs_to_new_head_without_duplicates(repo):
    repo.write("python.md", PYTHON)
    repo.commit("first")
    repo.write("python.md", PYTHON + notes(("What is a dict?", "A mapping.")))
    repo.commit("second")
    source = _add(UserFactory(), repo)
    _sync(source)
    assert Note.objects.count() == 3

    # Rewrite history: drop the second commit, commit something else in its place.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("python.md", PYTHON + notes(("What is a frozenset?", "An immutable set.")))
    new_head = repo.commit("rewritten")
    run = _sync(source)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.commit == new_head
    assert Note.objects.filter(question="What is a list?").count() == 1
    assert Note.objects.get(question="What is a dict?").is_archived
    assert Note.objects.filter(is_archived=False).count() == 3


def test_deleted_file_restored_brings_its_cards_back(repo):
    repo.write("python.md", PYTHON)
    repo.commit()
    source = _add(UserFactory(), repo)
    _sync(source)
    card = Note.objects.get(question="What is a list?")
    repo.git("rm", "-q", "python.md")
    repo.commit()
    _sync(source)
    card.refresh_from_db()
    assert card.is_archived
    repo.write("python.md", PYTHON)
    repo.commit()
    run = _sync(source)
    card.refresh_from_db()
    assert not card.is_archived
    assert run.files_changed == [{"path": "python.md", "change": "added"}]


def test_subfolder_and_glob_choose_the_files(repo):
    repo.write("notes/python.md", PYTHON)
    repo.write("notes/deep/django.md", DJANGO)
    repo.write("drafts/idea.md", notes(("Draft?", "Yes.")))
    repo.commit()
    source = _add(UserFactory(), repo, subfolder="notes", glob="**/*.md")
    run = _sync(source)
    assert sorted(f["path"] for f in run.files_changed) == [
        "notes/deep/django.md",
        "notes/python.md",
    ]


def test_failed_sync_keeps_the_last_good_state_and_says_why(repo):
    repo.write("python.md", PYTHON)
    good = repo.commit()
    source = _add(UserFactory(), repo)
    _sync(source)
    source.refresh_from_db()
    services.source_update(source=source, branch="no-such-branch")
    run = _sync(source)
    assert run.status == SyncStatus.FAILED
    assert "no-such-branch" in run.error
    source.refresh_from_db()
    assert source.last_commit == good
    assert "no-such-branch" in source.last_error
    assert Note.objects.filter(is_archived=False).count() == 2
    assert Job.objects.get(pk=run.job_id).status == "failed"


def test_a_file_without_questions_is_a_warning_not_a_failure(repo):
    repo.write("python.md", PYTHON)
    repo.write("empty.md", "Just prose, no questions here.\n")
    repo.commit()
    run = _sync(_add(UserFactory(), repo))
    assert run.status == SyncStatus.SUCCEEDED
    assert any("empty.md" in w for w in run.warnings)
    assert Note.objects.count() == 2


def test_sync_is_all_or_nothing(repo, monkeypatch):
    repo.write("a.md", notes(("What is A?", "A.")))
    repo.write("b.md", notes(("What is B?", "B.")))
    repo.commit()
    source = _add(UserFactory(), repo)
    real = services.notes_import
    calls = []

    def fail_second(**kwargs):
        calls.append(kwargs["filename"])
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(services, "notes_import", fail_second)
    run = _sync(source)
    assert run.status == SyncStatus.FAILED
    assert Note.objects.count() == 0
    assert not SourceFile.objects.exists()


def test_concurrent_sync_now_runs_once(repo, django_capture_on_commit_callbacks):
    repo.write("python.md", PYTHON)
    repo.commit()
    source = _add(UserFactory(), repo)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.sync_request(source=source)
        second = services.sync_request(source=source)
    assert first.pk == second.pk
    assert SyncRun.objects.count() == 1 and len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()  # a redelivered task: the run is already claimed and finished
    first.refresh_from_db()
    assert first.status == SyncStatus.SUCCEEDED
    assert Note.objects.count() == 2
    assert services.sync_request(source=source).pk != first.pk


def test_sync_publishes_progress_for_its_job(repo, monkeypatch):
    from recall.core import progress

    for name in ("a", "b", "c"):
        repo.write(f"{name}.md", notes((f"What is {name}?", "A letter.")))
    repo.commit()
    source = _add(UserFactory(), repo)
    published: list[tuple[int, dict]] = []
    monkeypatch.setattr(
        progress,
        "publish_job_progress",
        lambda job_id, payload: published.append((job_id, payload)),
    )
    run = _sync(source)
    assert run.status == SyncStatus.SUCCEEDED
    assert {job_id for job_id, _ in published} == {run.job_id}
    counts = [(p["progress"], p["total"]) for _, p in published if p["status"] == "running"]
    assert (3, 4) in counts and counts == sorted(counts)
    assert published[-1][1]["status"] == "succeeded"


def test_two_sources_with_the_same_file_name_feed_separate_decks(repo, source_root):
    from tests.sources.conftest import GitRepo

    other = GitRepo(source_root / "other")
    repo.write("python.md", PYTHON)
    repo.commit()
    other.write("python.md", notes(("What is a list?", "Something else entirely.")))
    other.commit()
    owner = UserFactory()
    first = services.source_create(owner=owner, name="mine", url=repo.url)
    second = services.source_create(owner=owner, name="theirs", url=other.url)
    _sync(first)
    run = _sync(second)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    decks = {f.source.name: f.deck for f in SourceFile.objects.select_related("source", "deck")}
    assert decks["mine"] != decks["theirs"]
    mine = Note.objects.filter(deck=decks["mine"], question="What is a list?").get()
    assert mine.answer == "A mutable sequence."
    assert decks["theirs"] is not None and decks["theirs"].title == "theirs: python.md"


def test_a_sync_over_its_time_limit_fails(repo, settings):
    repo.write("python.md", PYTHON)
    repo.commit()
    settings.RECALL_SOURCE_TIMEOUT = -1
    run = _sync(_add(UserFactory(), repo))
    assert run.status == SyncStatus.FAILED
    assert "took over" in run.error
    assert not Note.objects.exists()
