"""Bulk actions on cards (recall/decks/services/cards.py): owner-checked, on the cards' notes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from recall.core.exceptions import ApplicationError, NotFoundError
from recall.decks import services
from recall.decks.models import Card, Link, Note
from recall.study import services as study_services
from recall.study.models import CardState, ReviewLog
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    owner = UserFactory(username="bulk")
    git: Any = DeckFactory(owner=owner, title="Git")
    sql: Any = DeckFactory(owner=owner, title="SQL")
    basic = services.note_create(
        deck=git, question="HEAD?", answer="see https://git-scm.com/docs", tags=["refs"]
    )
    rev = services.note_create(deck=git, kind="reversed", question="A", answer="B")
    services.note_create(deck=sql, question="JOIN?", answer="rows")
    stranger = UserFactory(username="stranger")
    theirs: Any = DeckFactory(owner=stranger, title="Theirs", visibility="public")
    foreign = services.note_create(deck=theirs, question="Foreign?", answer="x", tags=["refs"])
    return {
        "owner": owner,
        "git": git,
        "sql": sql,
        "basic": basic,
        "rev": rev,
        "stranger": stranger,
        "theirs": theirs,
        "foreign": foreign,
    }


def _card_ids(*notes: Note) -> list[int]:
    return [c.pk for n in notes for c in n.cards.all()]


def test_tag_and_untag_the_cards_notes_only_mine(world):
    owner, basic, rev, foreign = world["owner"], world["basic"], world["rev"], world["foreign"]
    ids = [*_card_ids(rev)[:1], basic.cards.get().pk, foreign.cards.get().pk]
    result = services.cards_bulk(user=owner, card_ids=ids, action="tag", tags=["exam", "refs"])
    # The reversed note is tagged once, though one of its two cards was ticked.
    assert (result.notes, result.cards) == (2, 3)
    assert sorted(rev.tags.values_list("name", flat=True)) == ["exam", "refs"]
    assert sorted(basic.tags.values_list("name", flat=True)) == ["exam", "refs"]
    assert list(foreign.tags.values_list("name", flat=True)) == ["refs"]
    assert not world["stranger"].tags.filter(name="exam").exists()
    services.cards_bulk(user=owner, card_ids=ids, action="untag", tags=["refs"])
    assert list(basic.tags.values_list("name", flat=True)) == ["exam"]
    assert list(foreign.tags.values_list("name", flat=True)) == ["refs"]
    with pytest.raises(ApplicationError, match="at least one tag"):
        services.cards_bulk(user=owner, card_ids=ids, action="tag", tags=[" ", ""])


def test_move_keeps_cards_states_and_reviews(world):
    owner, basic, git, sql = world["owner"], world["basic"], world["git"], world["sql"]
    card = basic.cards.get()
    when = timezone.now() - timedelta(days=2)
    study_services.card_grade(user=owner, card_id=card.pk, grade=3, duration_ms=1, now=when)
    result = services.cards_bulk(user=owner, card_ids=[card.pk], action="move", deck_id=sql.pk)
    assert (result.notes, result.cards) == (1, 1)
    basic.refresh_from_db()
    card.refresh_from_db()
    assert basic.deck_id == card.deck_id == sql.pk
    # Last in the target deck, after its JOIN note.
    assert basic.position > Note.objects.get(question="JOIN?").position
    state = CardState.objects.get(user=owner, card=card)
    assert state.deck_id == sql.pk and ReviewLog.objects.filter(card=card).count() == 1
    # The link found in its answer moved with it.
    assert list(Link.objects.filter(deck=sql).values_list("url", flat=True)) == [
        "https://git-scm.com/docs"
    ]
    assert not Link.objects.filter(deck=git).exists()


def test_move_only_my_cards_and_only_into_my_decks(world):
    owner, foreign, theirs, sql = world["owner"], world["foreign"], world["theirs"], world["sql"]
    with pytest.raises(NotFoundError):
        services.cards_bulk(
            user=owner, card_ids=_card_ids(world["basic"]), action="move", deck_id=theirs.pk
        )
    result = services.cards_bulk(
        user=owner, card_ids=_card_ids(foreign), action="move", deck_id=sql.pk
    )
    assert result.notes == 0
    foreign.refresh_from_db()
    assert foreign.deck_id == theirs.pk
    with pytest.raises(ApplicationError, match="choose a deck"):
        services.cards_bulk(user=owner, card_ids=_card_ids(foreign), action="move")


def test_delete_removes_whole_notes_and_keeps_the_review_log(world):
    owner, rev, foreign = world["owner"], world["rev"], world["foreign"]
    first = rev.cards.order_by("ordinal").first()
    assert first is not None
    study_services.card_grade(user=owner, card_id=first.pk, grade=3, duration_ms=1)
    result = services.cards_bulk(
        user=owner, card_ids=[first.pk, foreign.cards.get().pk], action="delete"
    )
    assert (result.notes, result.cards) == (1, 2)
    assert result.message == "1 note (2 cards) deleted."
    assert not Note.objects.filter(pk=rev.pk).exists()
    assert not Card.objects.filter(note_id=rev.pk).exists()
    assert Note.objects.filter(pk=foreign.pk).exists()
    assert ReviewLog.objects.filter(user=owner, card=None).count() == 1


def test_suspend_and_bad_requests(world):
    owner, basic = world["owner"], world["basic"]
    ids = _card_ids(basic, world["foreign"])
    assert services.cards_bulk(user=owner, card_ids=ids, action="suspend").cards == 1
    assert list(Card.objects.filter(suspended=True).values_list("note_id", flat=True)) == [basic.pk]
    with pytest.raises(ApplicationError, match="at least one card"):
        services.cards_bulk(user=owner, card_ids=[], action="suspend")
    with pytest.raises(ApplicationError, match="unknown action"):
        services.cards_bulk(user=owner, card_ids=ids, action="explode")
    with pytest.raises(ApplicationError, match="at most"):
        services.cards_bulk(
            user=owner, card_ids=list(range(1, services.MAX_BULK_CARDS + 2)), action="suspend"
        )


def test_note_move_refuses_a_deck_of_someone_else(world):
    with pytest.raises(NotFoundError):
        services.notes_move(user=world["owner"], notes=[world["basic"]], deck=world["theirs"])
    with pytest.raises(NotFoundError):
        services.notes_move(user=world["owner"], notes=[world["foreign"]], deck=world["sql"])


def test_flag_and_bury_my_cards_only_and_the_queue_follows(world):
    from recall.study import selectors

    owner, basic = world["owner"], world["basic"]
    ids = _card_ids(basic, world["foreign"])
    mine = _card_ids(basic)
    assert services.cards_bulk(user=owner, card_ids=ids, action="flag").cards == len(mine)
    assert set(Card.objects.filter(flagged=True).values_list("pk", flat=True)) == set(mine)
    assert services.cards_bulk(user=owner, card_ids=ids, action="unflag").cards == len(mine)
    assert not Card.objects.filter(flagged=True).exists()

    deck = basic.deck
    before = {c.pk for c in selectors.study_queue(user=owner, deck=deck, limit=50)}
    assert set(mine) <= before
    result = services.cards_bulk(user=owner, card_ids=ids, action="bury")
    assert result.cards == len(mine) and "buried" in result.message
    assert not Card.objects.filter(pk__in=_card_ids(world["foreign"]), buried_until__isnull=False)
    after = {c.pk for c in selectors.study_queue(user=owner, deck=deck, limit=50)}
    assert after == before - set(mine)
    assert services.cards_bulk(user=owner, card_ids=ids, action="unbury").cards == len(mine)
    assert {c.pk for c in selectors.study_queue(user=owner, deck=deck, limit=50)} == before
