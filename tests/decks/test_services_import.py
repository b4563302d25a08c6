"""notes_import: one deck per file, idempotent re-import, history kept, all or nothing."""

from __future__ import annotations

import asyncio
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.decks import services
from recall.decks.models import Deck, Link, LinkStatus, Note, Reference, Tag
from recall.decks.services import ImportRejected, notes_import
from recall.decks.signals import notes_bulk_changed
from tests.factories import DeckFactory, UserFactory
from tests.notes_fixture import NOTES_QUESTIONS

pytestmark = pytest.mark.django_db

NOTES = """\
# Reference
> 1. Python docs: https://docs.python.org/3/
> 2. Django docs: https://docs.djangoproject.com/

# 1. What is a list?

A mutable sequence, see https://docs.python.org/3/tutorial/datastructures.html.

```python
# a comment, not a heading
items = [1, 2]
```

#python #basics

# 2. What is a tuple?

An immutable sequence.

# 3. What is a dict?

A mapping from keys to values.
"""


def write_queries(ctx: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]


def make_zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def live_cards(deck: Deck) -> list[Note]:
    return list(deck.notes.filter(is_archived=False).order_by("position"))


@pytest.fixture
def owner():
    return UserFactory(username="ada")


def test_import_creates_one_deck_with_cards_tags_references_and_links(owner):
    summary = notes_import(owner=owner, filename="python.md", data=NOTES.encode())

    assert (summary.created, summary.updated, summary.archived, summary.unchanged) == (3, 0, 0, 0)
    deck = Deck.objects.get(pk=summary.deck_ids[0])
    assert deck.owner == owner
    assert deck.source_name == "python.md"
    cards = live_cards(deck)
    assert [c.question for c in cards] == ["What is a list?", "What is a tuple?", "What is a dict?"]
    assert "# a comment, not a heading" in cards[0].answer
    # HTML is rendered although bulk_create bypasses Note.save.
    assert '<pre class="highlight">' in cards[0].answer_html
    assert cards[1].question_html.strip() == "<p>What is a tuple?</p>"
    assert sorted(t.name for t in cards[0].tags.all()) == ["basics", "python"]
    assert set(Tag.objects.filter(owner=owner).values_list("name", flat=True)) == {
        "basics",
        "python",
    }
    assert list(deck.references.values_list("url", flat=True)) == [
        "https://docs.python.org/3/",
        "https://docs.djangoproject.com/",
    ]
    links = {link.url: link for link in deck.links.all()}
    assert set(links) == {
        "https://docs.python.org/3/",
        "https://docs.djangoproject.com/",
        "https://docs.python.org/3/tutorial/datastructures.html",
    }
    assert [
        c.pk for c in links["https://docs.python.org/3/tutorial/datastructures.html"].notes.all()
    ] == [cards[0].pk]
    assert all(c.source_file == "python.md" and c.source_line for c in cards)


def test_same_file_twice_writes_nothing(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    before = {c.pk: (c.updated_at, c.content_hash) for c in Note.objects.all()}

    with CaptureQueriesContext(connection) as ctx:
        summary = notes_import(owner=owner, filename="python.md", data=NOTES.encode())

    assert write_queries(ctx) == []
    assert (summary.created, summary.updated, summary.archived, summary.unchanged) == (0, 0, 0, 3)
    assert {c.pk: (c.updated_at, c.content_hash) for c in Note.objects.all()} == before
    assert Deck.objects.count() == 1


def test_edited_answer_updates_the_card_in_place(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    tuple_card = Note.objects.get(question="What is a tuple?")

    edited = NOTES.replace("An immutable sequence.", "An immutable, hashable sequence.")
    summary = notes_import(owner=owner, filename="python.md", data=edited.encode())

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    tuple_card.refresh_from_db()
    assert tuple_card.answer == "An immutable, hashable sequence."
    assert "hashable" in tuple_card.answer_html
    assert Note.objects.count() == 3


def test_removed_question_is_archived_and_comes_back_when_restored(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    dict_card = Note.objects.get(question="What is a dict?")
    without = NOTES.split("# 3. What is a dict?")[0]

    summary = notes_import(owner=owner, filename="python.md", data=without.encode())
    assert (summary.archived, summary.unchanged) == (1, 2)
    dict_card.refresh_from_db()
    assert dict_card.is_archived

    summary = notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    dict_card.refresh_from_db()
    assert not dict_card.is_archived
    assert Note.objects.count() == 3


def test_renumbered_and_reordered_questions_keep_their_cards(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    ids = {c.question: c.pk for c in Note.objects.all()}
    reordered = (
        NOTES.split("# 1.")[0]
        + "# 1. What is a dict?\n\nA mapping from keys to values.\n\n"
        + "# 2. What is a list?"
        + NOTES.split("# 1. What is a list?")[1].split("# 3. What is a dict?")[0]
    )

    summary = notes_import(owner=owner, filename="python.md", data=reordered.encode())

    assert summary.created == 0
    assert {c.question: c.pk for c in Note.objects.all()} == ids
    assert [c.question for c in live_cards(Deck.objects.get())] == [
        "What is a dict?",
        "What is a list?",
        "What is a tuple?",
    ]


def test_renamed_file_is_reattached_with_deck_slug(owner):
    first = notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    deck = Deck.objects.get(pk=first.deck_ids[0])

    summary = notes_import(
        owner=owner, filename="python-basics.md", data=NOTES.encode(), deck_slug=deck.slug
    )

    assert summary.deck_ids == [deck.pk]
    assert summary.unchanged == 3
    deck.refresh_from_db()
    assert deck.source_name == "python-basics.md"
    # Later imports of the new name find the deck without --deck.
    again = notes_import(owner=owner, filename="python-basics.md", data=NOTES.encode())
    assert again.deck_ids == [deck.pk]
    assert Deck.objects.count() == 1


def test_unknown_deck_slug_is_refused(owner):
    with pytest.raises(ImportRejected, match="no deck 'nope'"):
        notes_import(owner=owner, filename="a.md", data=NOTES.encode(), deck_slug="nope")
    assert Note.objects.count() == 0


def test_another_users_deck_is_never_touched(owner):
    other = UserFactory(username="bob")
    notes_import(owner=other, filename="python.md", data=NOTES.encode())
    theirs = DeckFactory(owner=other, slug="mine")
    assert isinstance(theirs, Deck)

    summary = notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    assert summary.created == 3
    with pytest.raises(ImportRejected):
        notes_import(owner=owner, filename="python.md", data=NOTES.encode(), deck_slug=theirs.slug)
    assert Deck.objects.filter(owner=owner).count() == 1
    assert Tag.objects.filter(name="python").count() == 2  # one per owner


def test_link_status_survives_reimport(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    Link.objects.filter(url="https://docs.python.org/3/").update(
        status=LinkStatus.BROKEN, http_status=404
    )
    edited = NOTES.replace("A mapping", "A mapping, see https://example.com/dict,")

    notes_import(owner=owner, filename="python.md", data=edited.encode())

    link = Link.objects.get(url="https://docs.python.org/3/")
    assert (link.status, link.http_status) == (LinkStatus.BROKEN, 404)
    new = Link.objects.get(url="https://example.com/dict")
    assert [c.question for c in new.notes.all()] == ["What is a dict?"]


def test_references_are_replaced_by_the_files_references(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    edited = NOTES.replace("> 2. Django docs: https://docs.djangoproject.com/\n", "")

    notes_import(owner=owner, filename="python.md", data=edited.encode())

    assert list(Reference.objects.values_list("url", flat=True)) == ["https://docs.python.org/3/"]
    assert not Link.objects.filter(url="https://docs.djangoproject.com/").exists()


def test_signal_sent_after_commit_with_changed_and_archived_ids(
    owner, django_capture_on_commit_callbacks
):
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    notes_bulk_changed.connect(receiver, dispatch_uid="test-import-signal")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notes_import(owner=owner, filename="python.md", data=NOTES.encode())
        assert len(received) == 1
        deck = Deck.objects.get()
        assert received[0]["deck_id"] == deck.pk
        assert sorted(received[0]["note_ids"]) == sorted(deck.notes.values_list("id", flat=True))
        assert received[0]["archived_ids"] == []

        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            notes_import(owner=owner, filename="python.md", data=NOTES.encode())
        assert received == []  # nothing changed, nothing to reindex

        dict_id = Note.objects.get(question="What is a dict?").pk
        with django_capture_on_commit_callbacks(execute=True):
            notes_import(
                owner=owner,
                filename="python.md",
                data=NOTES.split("# 3.")[0].encode(),
            )
        assert received[0]["note_ids"] == []
        assert received[0]["archived_ids"] == [dict_id]
    finally:
        notes_bulk_changed.disconnect(dispatch_uid="test-import-signal")


def test_zip_members_become_decks_named_from_their_paths(owner):
    data = make_zip(
        {
            "notes/python.md": NOTES,
            "notes/words.csv": "question,answer,tags\nWhat is 2+2?,4,maths\n",
            "notes/.DS_Store": b"\x00\x00",
        }
    )

    summary = notes_import(owner=owner, filename="notes.zip", data=data)

    assert summary.created == 4
    assert sorted(Deck.objects.values_list("source_name", flat=True)) == [
        "notes/python.md",
        "notes/words.csv",
    ]
    assert sorted(Deck.objects.values_list("title", flat=True)) == [
        "Notes / Python",
        "Notes / Words",
    ]
    again = notes_import(owner=owner, filename="notes.zip", data=data)
    assert (again.created, again.unchanged) == (0, 4)


def test_bad_second_file_in_zip_stores_nothing_from_the_first(owner):
    data = make_zip({"a.md": NOTES, "b.md": b"\xff\xfe\x00\xd8 not utf16 \x00"})

    with pytest.raises(ImportRejected, match=r"b\.md"):
        notes_import(owner=owner, filename="notes.zip", data=data)

    assert Deck.objects.count() == Note.objects.count() == Tag.objects.count() == 0


def test_unparseable_member_error_names_file_and_line(owner):
    data = make_zip({"a.md": NOTES, "b.csv": 'question,answer\nok,fine\n"unterminated,quote\n'})

    with pytest.raises(ImportRejected) as info:
        notes_import(owner=owner, filename="notes.zip", data=data)

    assert "b.csv:3" in info.value.message
    assert Deck.objects.count() == 0


def test_failure_during_the_write_leaves_the_database_unchanged(owner, monkeypatch):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    before = list(Note.objects.values_list("id", "answer", "is_archived", "content_hash"))
    links_before = list(Link.objects.values_list("id", "url"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # The cards are already written when the links step fails.
    monkeypatch.setattr(services.import_steps, "_sync_links", broken)
    edited = NOTES.replace("An immutable sequence.", "Changed.").split("# 3.")[0]
    edited += "# 4. What is a set?\n\nUnordered unique items.\n"
    with pytest.raises(RuntimeError):
        notes_import(owner=owner, filename="python.md", data=edited.encode())

    assert list(Note.objects.values_list("id", "answer", "is_archived", "content_hash")) == before
    assert list(Link.objects.values_list("id", "url")) == links_before


def test_duplicate_questions_are_distinct_cards(owner):
    text = "# 1. What is it?\n\nFirst.\n\n# 2. What is it?\n\nSecond.\n"
    notes_import(owner=owner, filename="dup.md", data=text.encode())
    summary = notes_import(owner=owner, filename="dup.md", data=text.encode())
    assert summary.unchanged == 2
    assert list(Note.objects.order_by("position").values_list("answer", flat=True)) == [
        "First.",
        "Second.",
    ]


def test_progress_reports_every_card(owner):
    calls: list[tuple[int, int]] = []
    notes_import(
        owner=owner,
        filename="python.md",
        data=NOTES.encode(),
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (3, 3)
    assert all(t == 3 for _, t in calls)


def test_flagship_imports_and_reimports_without_writes(owner, flagship_path):
    data = flagship_path.read_bytes()
    summary = notes_import(owner=owner, filename=flagship_path.name, data=data)
    assert summary.created == len(NOTES_QUESTIONS)
    deck = Deck.objects.get()
    assert deck.references.count() == 8
    # The eight reference URLs, the link written in an answer, and the one in the nginx block.
    assert deck.links.count() == 10
    questions = list(deck.notes.order_by("position").values_list("question", flat=True))
    assert questions == NOTES_QUESTIONS

    with CaptureQueriesContext(connection) as ctx:
        again = notes_import(owner=owner, filename=flagship_path.name, data=data)
    assert write_queries(ctx) == []
    assert again.unchanged == summary.created
    assert len(ctx.captured_queries) <= 10


# --- background jobs ---------------------------------------------------------------------------


def upload(name: str = "python.md", data: bytes = NOTES.encode()):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/markdown")


def test_job_create_stores_the_upload_and_runs_after_commit(
    owner, django_capture_on_commit_callbacks
):
    from recall.jobs.models import Job, JobStatus

    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create_import(owner=owner, uploaded_file=upload())

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress, job.total) == (3, 3)
    assert job.result["created"] == 3
    assert job.deck_id is not None
    assert Deck.objects.get(pk=job.deck_id).source_name == "python.md"
    assert job.message == "python.md: 3 created, 0 updated, 0 archived, 0 unchanged"
    assert job.finished_at is not None
    assert Job.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "status"), [(NOTES.encode(), "succeeded"), (b"\x00\x01", "failed")]
)
def test_a_finished_job_deletes_its_upload(owner, data, status, django_capture_on_commit_callbacks):
    job = services.job_create_import(owner=owner, uploaded_file=upload("notes.md", data))
    stored, storage = job.upload.name, job.upload.storage
    assert storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        services.job_run_import(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == status
    assert not job.upload
    assert not storage.exists(stored)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
        ("empty.md", b"", "empty.md is empty"),
    ],
)
def test_job_create_refuses_bad_uploads_at_once(owner, name, data, message):
    from recall.jobs.models import Job

    with pytest.raises(ImportRejected, match=message):
        services.job_create_import(owner=owner, uploaded_file=upload(name, data))
    assert Job.objects.count() == 0


def test_job_run_is_idempotent(owner):
    from recall.jobs.models import JobStatus

    job = services.job_create_import(owner=owner, uploaded_file=upload())
    assert job.status == JobStatus.PENDING  # on_commit never fired inside the test transaction

    services.job_run_import(job_id=job.pk)
    cards = list(Note.objects.values_list("id", "updated_at"))
    with CaptureQueriesContext(connection) as ctx:
        services.job_run_import(job_id=job.pk)

    assert write_queries(ctx) == []
    assert list(Note.objects.values_list("id", "updated_at")) == cards
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_job_left_running_by_a_killed_worker_completes_on_redelivery(owner):
    from recall.decks.tasks import run_import_job
    from recall.jobs.models import JobStatus

    job = services.job_create_import(owner=owner, uploaded_file=upload())
    # The first worker marked it running, then died before its import transaction committed.
    job.status = JobStatus.RUNNING
    job.save()

    run_import_job.delay(job.pk)
    run_import_job.delay(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert Note.objects.count() == 3
    assert Deck.objects.count() == 1


def test_failed_job_keeps_the_clear_message_and_imports_nothing(owner):
    from recall.jobs.models import JobStatus

    data = make_zip({"a.md": NOTES, "b.md": b"\x00\x01\x02"})
    job = services.job_create_import(owner=owner, uploaded_file=upload("notes.zip", data))

    services.job_run_import(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "notes.zip: b.md looks like a binary file, not text"
    assert Deck.objects.count() == Note.objects.count() == 0
    # A failed job is final: running it again changes nothing.
    services.job_run_import(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_job_reimport_into_a_deck_given_by_slug(owner):
    from recall.jobs.models import JobStatus

    first = notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    deck = Deck.objects.get(pk=first.deck_ids[0])
    job = services.job_create_import(
        owner=owner, uploaded_file=upload("renamed.md"), deck_slug=deck.slug
    )

    services.job_run_import(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["unchanged"] == 3
    assert job.deck_id == deck.pk


def test_job_progress_is_published_to_the_jobs_channel_group(owner, settings):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from recall.core.progress import job_group

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    job = services.job_create_import(owner=owner, uploaded_file=upload())
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(job_group(job.pk), channel)

    services.job_run_import(job_id=job.pk)

    async def drain() -> list[dict]:
        received: list[dict] = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.2)
            except TimeoutError:
                return received
            received.append(message["payload"])

    payloads = async_to_sync(drain)()
    statuses = [p["status"] for p in payloads]
    assert statuses[0] == "running"
    assert {"job", "status", "progress", "total", "message"} <= set(payloads[0])
    assert payloads[-1]["progress"] == payloads[-1]["total"] == 3


# --- other deck services -----------------------------------------------------------------------


def test_card_update_rerenders_and_keeps_identity(owner):
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    card = Note.objects.get(question="What is a tuple?")
    key, chash = card.source_key, card.content_hash

    services.note_update(note=card, answer="A *frozen* list.", tags=["python", "new tag"])

    card.refresh_from_db()
    assert card.answer_html.strip() == "<p>A <em>frozen</em> list.</p>"
    assert sorted(t.name for t in card.tags.all()) == ["new-tag", "python"]
    assert (card.source_key, card.content_hash) == (key, chash)
    # Re-importing the unchanged file keeps the edit made in the app.
    notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    card.refresh_from_db()
    assert card.answer == "A *frozen* list."


def test_deck_copy_copies_live_cards_tags_and_references(owner):
    from recall.core.exceptions import ApplicationError
    from recall.decks.models import Visibility

    summary = notes_import(owner=owner, filename="python.md", data=NOTES.encode())
    deck = Deck.objects.get(pk=summary.deck_ids[0])
    reader = UserFactory(username="reader")
    with pytest.raises(ApplicationError):
        services.deck_copy(deck=deck, owner=reader)  # still private

    deck.visibility = Visibility.PUBLIC
    deck.save()
    DeckFactory(owner=reader, slug=deck.slug)  # forces a new slug for the copy
    copy = services.deck_copy(deck=deck, owner=reader)

    assert copy.owner == reader and copy.copied_from == deck
    assert copy.slug == f"{deck.slug}-2"
    assert list(copy.notes.values_list("question", flat=True)) == list(
        deck.notes.values_list("question", flat=True)
    )
    copied_list = copy.notes.get(question="What is a list?")
    assert sorted(t.name for t in copied_list.tags.all()) == ["basics", "python"]
    assert all(t.owner == reader for t in copied_list.tags.all())
    assert copy.references.count() == 2
    assert copy.links.count() == 3
    assert copy.visibility == Visibility.PRIVATE


def test_unique_deck_slug_counts_up(owner):
    DeckFactory(owner=owner, slug="python")
    DeckFactory(owner=owner, slug="python-2")
    assert services.unique_deck_slug(owner=owner, title="Python") == "python-3"
    assert services.unique_deck_slug(owner=owner, title="!!!") == "deck"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_one_job_import_once():
    import threading

    from django.core.files.base import ContentFile
    from django.db import connections

    from recall.accounts.models import User
    from recall.jobs.models import Job, JobStatus

    owner = User.objects.create_user(username="racer")
    # Big enough that the two runs overlap if nothing serialises them.
    many = "".join(f"# {n}. What is item {n}?\n\nIt is `item_{n}`.\n\n" for n in range(400))
    # Created directly: job_create_import would run it at once (eager Celery, real commits).
    job = Job(owner=owner, filename="many.md")
    job.upload.save("many.md", ContentFile(many.encode()))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            services.job_run_import(job_id=job.pk)
        except BaseException as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == 400
    assert Note.objects.count() == 400
    assert Deck.objects.count() == 1
