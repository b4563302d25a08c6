"""View tests of the deck pages: who sees and edits what, forms and their errors, import, jobs."""

from __future__ import annotations

import json
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recall.decks.models import Deck, Note, Visibility
from recall.jobs.models import Job, JobStatus
from tests.factories import DeckFactory, NoteFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = b"""# Django notes

## What is a QuerySet?

A lazy database query.

```python
Note.objects.filter(deck=deck)
```

## What does select_related do?

It follows foreign keys in one SQL JOIN.
"""


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


# Home and lists -------------------------------------------------------------------------


def test_anonymous_home_is_the_landing_page_with_the_gallery_link(client):
    DeckFactory(visibility=Visibility.PUBLIC)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "landing.html"
    assert reverse("decks:gallery") in response.content.decode()
    assert response.context["public_count"] == 1


def test_deck_list_shows_only_my_decks(alice_client, alice, bob):
    DeckFactory(owner=alice, title="Mine")
    DeckFactory(owner=bob, title="Theirs", visibility=Visibility.PUBLIC)
    response = alice_client.get(reverse("decks:deck-list"))
    assert [d.title for d in response.context["decks"]] == ["Mine"]


def test_deck_list_needs_login(client):
    response = client.get(reverse("decks:deck-list"))
    assert response.status_code == 302


def test_gallery_lists_public_decks_only(client, bob):
    DeckFactory(owner=bob, title="Shared", visibility=Visibility.PUBLIC)
    DeckFactory(owner=bob, title="Link only", visibility=Visibility.UNLISTED)
    DeckFactory(owner=bob, title="Secret")
    response = client.get(reverse("decks:gallery"))
    assert [d.title for d in response.context["decks"]] == ["Shared"]


# Permissions ----------------------------------------------------------------------------


def test_another_users_private_deck_and_its_cards_are_404(alice_client, bob):
    deck = DeckFactory(owner=bob)
    card = NoteFactory(deck=deck)
    for url in (
        reverse("decks:deck-detail", args=[deck.pk]),
        reverse("decks:card-detail", args=[card.pk]),
        reverse("decks:deck-export", args=[deck.pk, "md"]),
        reverse("study:deck", args=[deck.pk]),
    ):
        assert alice_client.get(url).status_code == 404, url
    assert alice_client.post(reverse("decks:deck-copy", args=[deck.pk])).status_code == 404
    assert Deck.objects.filter(owner__username="alice").count() == 0


def test_anonymous_visitor_gets_404_for_a_private_deck(client, bob):
    deck = DeckFactory(owner=bob)
    assert client.get(reverse("decks:deck-detail", args=[deck.pk])).status_code == 404


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
def test_someone_elses_shared_deck_is_readable_but_not_editable(alice_client, bob, visibility):
    deck = DeckFactory(owner=bob, visibility=visibility, title="Bob's")
    card = NoteFactory(deck=deck)
    assert alice_client.get(deck.get_absolute_url()).status_code == 200
    assert alice_client.get(card.get_absolute_url()).status_code == 200
    # Editing someone else's deck or card is a 404: we chose 404 over 403 everywhere.
    assert alice_client.get(reverse("decks:deck-edit", args=[deck.pk])).status_code == 404
    assert (
        alice_client.post(
            reverse("decks:deck-edit", args=[deck.pk]),
            {"title": "Hijacked", "visibility": "public"},
        ).status_code
        == 404
    )
    assert alice_client.post(reverse("decks:deck-delete", args=[deck.pk])).status_code == 404
    assert alice_client.get(reverse("decks:card-edit", args=[card.pk])).status_code == 404
    assert (
        alice_client.post(
            reverse("decks:card-edit", args=[card.pk]), {"question": "Hijacked?"}
        ).status_code
        == 404
    )
    deck.refresh_from_db()
    card.refresh_from_db()
    assert deck.title == "Bob's"
    assert card.question != "Hijacked?"


def test_another_users_job_is_404(alice_client, bob):
    job = Job.objects.create(owner=bob, filename="x.md")
    assert alice_client.get(reverse("decks:job-detail", args=[job.pk])).status_code == 404
    assert alice_client.get(reverse("decks:job-status", args=[job.pk])).status_code == 404


def test_posts_need_a_csrf_token(alice, bob):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    deck = DeckFactory(owner=bob, visibility=Visibility.PUBLIC)
    assert strict.post(reverse("decks:deck-copy", args=[deck.pk])).status_code == 403
    assert strict.post(reverse("decks:markdown-preview"), {"text": "x"}).status_code == 403
    assert strict.post(reverse("decks:deck-create"), {"title": "T"}).status_code == 403


# Deck detail and export -----------------------------------------------------------------


def test_deck_detail_shows_cards_tags_exports_and_links(
    alice_client, alice, django_assert_max_num_queries
):
    deck = DeckFactory(owner=alice)
    tag = TagFactory(owner=alice, name="orm")
    for _ in range(5):
        NoteFactory(deck=deck).tags.add(tag)
    deck.links.create(url="https://example.com/broken", status="broken", http_status=404)
    with django_assert_max_num_queries(14):
        response = alice_client.get(deck.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "orm" in html
    assert reverse("decks:deck-export", args=[deck.pk, "md"]) in html
    assert "https://example.com/broken" in html and "(404)" in html


def test_export_downloads_markdown(alice_client, alice):
    deck = DeckFactory(owner=alice, slug="py")
    NoteFactory(deck=deck, question="What is a generator?")
    response = alice_client.get(reverse("decks:deck-export", args=[deck.pk, "md"]))
    assert response.status_code == 200
    assert (
        "attachment" in response["Content-Disposition"]
        and "py.md" in response["Content-Disposition"]
    )
    assert b"What is a generator?" in response.content


def test_export_of_an_unknown_format_is_404(alice_client, alice):
    deck = DeckFactory(owner=alice)
    assert alice_client.get(reverse("decks:deck-export", args=[deck.pk, "docx"])).status_code == 404


# Deck create / edit / delete ------------------------------------------------------------


def test_create_deck_makes_a_slug_from_the_title(alice_client, alice):
    response = alice_client.post(
        reverse("decks:deck-create"),
        {"title": "Python Basics", "slug": "", "visibility": "private"},
    )
    deck = Deck.objects.get(owner=alice)
    assert response.status_code == 302
    assert response["Location"] == deck.get_absolute_url()
    assert deck.slug == "python-basics"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "visibility": "private"}, "title"),
        ({"title": "   ", "visibility": "private"}, "title"),
        ({"title": "T", "visibility": "secret"}, "visibility"),
        ({"title": "T", "slug": "not a slug!", "visibility": "private"}, "slug"),
        ({"title": "T", "slug": "taken", "visibility": "private"}, "slug"),
    ],
)
def test_create_deck_form_errors(alice_client, alice, data, field):
    DeckFactory(owner=alice, slug="taken")
    response = alice_client.post(reverse("decks:deck-create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Deck.objects.filter(owner=alice).count() == 1


def test_the_same_slug_is_fine_for_another_owner(alice_client, alice, bob):
    DeckFactory(owner=bob, slug="shared-name")
    alice_client.post(
        reverse("decks:deck-create"), {"title": "X", "slug": "shared-name", "visibility": "private"}
    )
    assert Deck.objects.filter(owner=alice, slug="shared-name").exists()


def test_edit_deck_and_its_errors(alice_client, alice):
    deck = DeckFactory(owner=alice, title="Old", slug="old")
    url = reverse("decks:deck-edit", args=[deck.pk])
    base = {"title": "New", "slug": "old", "description": "", "visibility": "public",
            "new_cards_per_day": 10, "reviews_per_day": 100}  # fmt: skip
    bad = alice_client.post(url, {**base, "new_cards_per_day": -1, "reviews_per_day": "many"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"new_cards_per_day", "reviews_per_day"}
    deck.refresh_from_db()
    assert deck.title == "Old"
    good = alice_client.post(url, base)
    assert good.status_code == 302
    deck.refresh_from_db()
    assert (deck.title, deck.visibility, deck.new_cards_per_day) == ("New", "public", 10)


def test_delete_deck_asks_then_deletes(alice_client, alice):
    deck = DeckFactory(owner=alice)
    NoteFactory(deck=deck)
    url = reverse("decks:deck-delete", args=[deck.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url)
    assert response.status_code == 302
    assert not Deck.objects.filter(pk=deck.pk).exists()
    assert not Note.objects.filter(deck_id=deck.pk).exists()


# Copy -----------------------------------------------------------------------------------


def test_copy_a_public_deck_to_my_decks(alice_client, alice, bob):
    deck = DeckFactory(owner=bob, visibility=Visibility.PUBLIC, title="Shared")
    NoteFactory(deck=deck, question="Q1?")
    response = alice_client.post(reverse("decks:deck-copy", args=[deck.pk]))
    copy = Deck.objects.get(owner=alice)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.copied_from == deck
    assert list(copy.cards.values_list("question", flat=True)) == ["Q1?"]


def test_copy_needs_login_and_a_post(alice_client, bob):
    from django.test import Client

    deck = DeckFactory(owner=bob, visibility=Visibility.PUBLIC)
    url = reverse("decks:deck-copy", args=[deck.pk])
    assert Client().post(url).status_code == 302  # to the login page
    assert alice_client.get(url).status_code == 405


# Note edit and preview ------------------------------------------------------------------


def test_edit_card_saves_text_and_tags(alice_client, alice):
    card = NoteFactory(deck=DeckFactory(owner=alice))
    url = reverse("decks:card-edit", args=[card.pk])
    page = alice_client.get(url)
    assert reverse("decks:markdown-preview") in page.content.decode()
    response = alice_client.post(
        url, {"question": "What is *new*?", "answer": "```python\nx = 1\n```", "tags": "a, #b, a"}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.question == "What is *new*?"
    assert "<em>new</em>" in card.question_html
    assert 'class="highlight"' in card.answer_html
    assert sorted(t.name for t in card.tags.all()) == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"question": "", "answer": "x"}, "question"),
        ({"question": "   ", "answer": "x"}, "question"),
        ({"question": "Q?", "answer": "x", "tags": "t" * 101}, "tags"),
    ],
)
def test_edit_card_form_errors(alice_client, alice, data, field):
    card = NoteFactory(deck=DeckFactory(owner=alice), question="Kept?")
    response = alice_client.post(reverse("decks:card-edit", args=[card.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    card.refresh_from_db()
    assert card.question == "Kept?"


def test_markdown_preview_returns_sanitised_html(alice_client):
    response = alice_client.post(
        reverse("decks:markdown-preview"),
        {"text": "**bold** <script>alert(1)</script>\n\n```python\nprint(1)\n```"},
    )
    data = response.json()
    assert response.status_code == 200
    assert "<strong>bold</strong>" in data["html"]
    assert "<script>" not in data["html"]
    assert 'class="highlight"' in data["html"]


def test_markdown_preview_needs_login_and_rejects_huge_input(alice_client):
    from django.test import Client

    assert Client().post(reverse("decks:markdown-preview"), {"text": "x"}).status_code == 302
    # The preview takes what a card field may hold (RECALL_MAX_FIELD_KB, 100 KB), no more.
    response = alice_client.post(reverse("decks:markdown-preview"), {"text": "x" * 102_401})
    assert response.status_code == 400
    assert "text" in response.json()["error"]["fields"]


# Import and jobs ------------------------------------------------------------------------


def test_import_runs_the_job_and_redirects_to_its_page(
    alice_client, alice, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("django.md", NOTES, content_type="text/markdown")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("decks:import"), {"file": upload})
    job = Job.objects.get(owner=alice)
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    # Celery runs eagerly in the embedded profile, after the commit.
    page = alice_client.get(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    deck = Deck.objects.get(owner=alice)
    assert deck.cards.count() == 2
    assert page.status_code == 200
    assert deck.get_absolute_url() in page.content.decode()
    status = alice_client.get(reverse("decks:job-status", args=[job.pk])).json()
    assert status["status"] == "succeeded"
    assert status["finished"] is True
    assert status["deck_url"] == deck.get_absolute_url()


def test_import_into_an_existing_deck_by_slug(
    alice_client, alice, django_capture_on_commit_callbacks
):
    deck = DeckFactory(owner=alice, slug="target")
    upload = SimpleUploadedFile("notes.md", NOTES)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("decks:import"), {"file": upload, "deck_slug": "target"})
    assert deck.cards.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "slug", "field", "message"),
    [
        ("notes.pdf", b"%PDF", "", "file", "unsupported file type"),
        ("notes.md", b"", "", "file", "empty"),
        ("notes.md", NOTES, "no-such-deck", "deck_slug", "no deck"),
        ("notes.md", NOTES, "Bad Slug!", "deck_slug", "valid"),
    ],
)
def test_import_form_errors(alice_client, alice, name, content, slug, field, message):
    upload = SimpleUploadedFile(name, content)
    response = alice_client.post(reverse("decks:import"), {"file": upload, "deck_slug": slug})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not Job.objects.exists()


def test_import_without_a_file(alice_client):
    response = alice_client.post(reverse("decks:import"), {})
    assert "file" in response.context["form"].errors


def test_import_page_tells_both_upload_limits(alice_client, settings):
    settings.RECALL_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    settings.RECALL_MAX_APKG_BYTES = 100 * 1024 * 1024
    response = alice_client.get(reverse("decks:import"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "up to 20.0\xa0MB; or an Anki .apkg, up to 100.0\xa0MB" in text


def test_import_rejects_a_file_over_the_limit(alice_client, settings):
    settings.RECALL_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("big.md", b"# Q\n\n" + b"x" * 200)
    response = alice_client.post(reverse("decks:import"), {"file": upload})
    assert response.status_code == 200
    assert any("too large" in e for e in response.context["form"].errors["file"])


def test_a_failed_import_shows_its_message(alice_client, alice, django_capture_on_commit_callbacks):
    # A zip that is not a zip passes the cheap checks and fails in the job.
    upload = SimpleUploadedFile("broken.zip", b"this is not a zip archive")
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("decks:import"), {"file": upload})
    job = Job.objects.get(owner=alice)
    page = alice_client.get(job.get_absolute_url())
    assert job.status == JobStatus.FAILED
    assert job.message
    assert escape(job.message) in page.content.decode()
    assert "job-progress.js" not in page.content.decode()


def test_job_status_of_a_pending_job(alice_client, alice):
    job = Job.objects.create(owner=alice, filename="x.md", progress=3, total=10)
    data = json.loads(alice_client.get(reverse("decks:job-status", args=[job.pk])).content)
    assert data == {**data, "status": "pending", "progress": 3, "total": 10, "finished": False}
    page = alice_client.get(job.get_absolute_url()).content.decode()
    assert "job-progress.js" in page
    assert f'data-status-url="{reverse("decks:job-status", args=[job.pk])}"' in page


def test_job_status_shows_live_progress_while_the_import_is_uncommitted(alice_client, alice):
    # The running import holds its counters in an open transaction; the poller gets the
    # figures last published instead of the row's.
    from recall.core.progress import publish_job_progress

    job = Job.objects.create(owner=alice, filename="big.md", status=JobStatus.RUNNING)
    url = reverse("decks:job-status", args=[job.pk])
    assert alice_client.get(url).json()["progress"] == 0

    publish_job_progress(job.pk, {"status": "running", "progress": 40, "total": 100})
    data = alice_client.get(url).json()
    assert (data["status"], data["progress"], data["total"]) == ("running", 40, 100)

    # Once the job's row says it finished, the row wins.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=100, total=100)
    data = alice_client.get(url).json()
    assert (data["status"], data["progress"], data["finished"]) == ("succeeded", 100, True)


def test_a_failed_job_page_says_failed_without_a_full_bar(alice_client, alice):
    job = Job.objects.create(
        owner=alice, filename="bad.md", status=JobStatus.FAILED, progress=2, total=10, message=""
    )
    page = alice_client.get(job.get_absolute_url()).content.decode()
    assert 'data-job-state="failed"' in page
    assert 'class="status status-failed"' in page and "Failed" in page
    assert 'max="10" value="2"' in page
    assert '<p data-job-message aria-live="polite" class="message error">The job failed.' in page
