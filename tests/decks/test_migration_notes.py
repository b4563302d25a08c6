"""decks 0003-0005: a database filled by the one-card-per-question schema keeps every review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from recall.decks.prompts import identity_text
from recall.decks.services import note_source_keys

BEFORE = ("decks", "0002_job_upload_private_storage")
AFTER = ("decks", "0005_card_prompt_only")


def _state_at(executor: MigrationExecutor, decks_node: tuple[str, str]) -> Any:
    """The models as they are in the database now, with decks at ``decks_node``: every other
    app at what is applied (a later migration of theirs may need a later decks schema)."""
    applied = MigrationExecutor(connection).loader.applied_migrations
    nodes = [n for n in applied if n[0] != "decks"]
    return executor.loader.project_state([*nodes, decks_node]).apps


def _fill_old_schema(apps: Any) -> dict[str, Any]:
    User = apps.get_model("accounts", "User")
    Deck = apps.get_model("decks", "Deck")
    Card = apps.get_model("decks", "Card")
    Tag = apps.get_model("decks", "Tag")
    Link = apps.get_model("decks", "Link")
    CardState = apps.get_model("study", "CardState")
    ReviewLog = apps.get_model("study", "ReviewLog")
    alice = User.objects.create(username="alice", email="alice@example.com")
    bob = User.objects.create(username="bob", email="bob@example.com")
    deck = Deck.objects.create(owner=alice, title="Old", slug="old", visibility="public")
    tag = Tag.objects.create(owner=alice, name="python")
    texts = [
        ("basic", "What is a view?", "A callable."),
        ("reversed", "HEAD", "the commit you have checked out"),
        ("cloze", "{{c1::301}} moves, {{c2::302}} finds, {{c1::permanently}}", ""),
        ("basic", "Archived?", "yes"),
    ]
    cards = [
        Card.objects.create(
            deck=deck,
            position=i,
            kind=kind,
            question=q,
            answer=a,
            question_html=f"<p>{q}</p>",
            answer_html=f"<p>{a}</p>",
            source_key=f"key{i}",
            content_hash=f"hash{i}",
            source_file="old.md",
            source_line=i + 1,
            is_archived=q == "Archived?",
        )
        for i, (kind, q, a) in enumerate(texts)
    ]
    cards[0].tags.add(tag)
    link = Link.objects.create(deck=deck, url="https://example.com/")
    link.cards.add(cards[1])
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    logs = 0
    for user in (alice, bob):
        for n, card in enumerate(cards):
            CardState.objects.create(
                user=user, card=card, deck=deck, state=2, due=start + timedelta(days=n), reps=3
            )
            for r in range(3):
                ReviewLog.objects.create(
                    user=user,
                    card=card,
                    deck=deck,
                    grade=3,
                    reviewed_at=start + timedelta(hours=r),
                    state_before=0 if r == 0 else 2,
                    state_after=2,
                    card_before={"r": r},
                    card_after={"r": r + 1},
                )
                logs += 1
    return {"cards": cards, "logs": logs, "tag": tag, "link": link}


@pytest.mark.django_db(transaction=True)
def test_migration_makes_notes_and_cards_and_keeps_every_review() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = _fill_old_schema(_state_at(executor, BEFORE))
        ReviewLogOld = _state_at(executor, BEFORE).get_model("study", "ReviewLog")
        logs_before = sorted(
            ReviewLogOld.objects.values_list(
                "id", "user_id", "card_id", "grade", "reviewed_at", "card_after"
            )
        )
        assert len(logs_before) == old["logs"]
        executor = MigrationExecutor(connection)
        executor.migrate([("decks", "0004_split_cards")])
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    apps = _state_at(executor, AFTER)
    Note = apps.get_model("decks", "Note")
    Card = apps.get_model("decks", "Card")
    ReviewLog = apps.get_model("study", "ReviewLog")
    CardState = apps.get_model("study", "CardState")
    Link = apps.get_model("decks", "Link")

    # Every review row survives unchanged, still on the card it was made on.
    logs_after = sorted(
        ReviewLog.objects.values_list(
            "id", "user_id", "card_id", "grade", "reviewed_at", "card_after"
        )
    )
    assert logs_after == logs_before
    assert CardState.objects.count() == 2 * len(old["cards"])

    # Each old card is a note of the same id, and that note's first card.
    basic, reversed_, cloze, archived = old["cards"]
    for card in old["cards"]:
        note = Note.objects.get(pk=card.pk)
        assert (note.kind, note.question, note.answer) == (card.kind, card.question, card.answer)
        assert note.content_hash == card.content_hash
        if card.kind != "cloze":
            assert note.source_key == card.source_key
        assert Card.objects.get(pk=card.pk).note_id == note.pk
    assert list(Note.objects.get(pk=basic.pk).tags.values_list("name", flat=True)) == ["python"]
    assert list(Link.objects.get(pk=old["link"].pk).notes.values_list("pk", flat=True)) == [
        reversed_.pk
    ]

    def ordinals(note_id: int) -> list[int]:
        return list(
            Card.objects.filter(note_id=note_id)
            .order_by("ordinal")
            .values_list("ordinal", flat=True)
        )

    assert ordinals(basic.pk) == [1]
    assert ordinals(reversed_.pk) == [1, 2]
    assert ordinals(cloze.pk) == [1, 2]
    # The new sibling cards start new: no state, no reviews.
    siblings = Card.objects.exclude(pk__in=[c.pk for c in old["cards"]])
    assert siblings.count() == 2
    assert not CardState.objects.filter(card__in=siblings).exists()
    backward = Card.objects.get(note_id=reversed_.pk, ordinal=2)
    assert (backward.question, backward.answer) == (reversed_.answer, reversed_.question)
    # The cloze card that kept the history is cloze 1, its front hiding both c1 deletions.
    first_cloze = Card.objects.get(pk=cloze.pk)
    assert first_cloze.ordinal == 1
    assert "301" not in first_cloze.question_html
    assert "permanently" not in first_cloze.question_html
    assert "302" in first_cloze.question_html
    assert Card.objects.get(pk=archived.pk).is_archived
    # A cloze note is found again by its text without markers, as imports now look for it.
    assert (
        Note.objects.get(pk=cloze.pk).source_key
        == note_source_keys(
            [basic.question, reversed_.question, identity_text("cloze", cloze.question)]
        )[2]
    )

    # New notes get ids past the migrated ones (the id sequence was moved on).
    deck_id = basic.deck_id
    fresh = Note.objects.create(deck_id=deck_id, question="New?", answer="yes")
    assert fresh.pk > max(c.pk for c in old["cards"])
