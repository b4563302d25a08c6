"""``AnyOf`` (recall/core/lookups.py): the rows of ``IN`` on every database, one array
parameter on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.test.utils import CaptureQueriesContext

from recall.core.lookups import AnyOf
from recall.decks.models import Card
from tests.factories import CardFactory, DeckFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards() -> list[Any]:
    deck = DeckFactory()
    return [CardFactory(deck=deck) for _ in range(6)]


def _ids(query: QuerySet[Card]) -> list[int]:
    return sorted(query.values_list("pk", flat=True))


def test_any_of_keeps_the_rows_of_in(cards):
    wanted = [cards[0].pk, cards[3].pk, cards[5].pk, 10**9]
    assert _ids(Card.objects.filter(AnyOf(F("pk"), wanted))) == _ids(
        Card.objects.filter(pk__in=wanted)
    )
    assert _ids(Card.objects.filter(AnyOf(F("pk"), wanted))) == sorted(wanted[:3])
    # Negated, and through a foreign key column.
    assert _ids(Card.objects.exclude(AnyOf(F("pk"), wanted))) == sorted(
        c.pk for c in cards if c.pk not in wanted
    )
    assert _ids(Card.objects.filter(AnyOf(F("deck_id"), [cards[0].deck_id]))) == sorted(
        c.pk for c in cards
    )


def test_an_empty_list_matches_nothing_and_leaves_an_or_to_its_other_side(cards):
    assert not Card.objects.filter(AnyOf(F("pk"), [])).exists()
    either = Card.objects.filter(Q(AnyOf(F("pk"), [])) | Q(pk=cards[1].pk))
    assert _ids(either) == [cards[1].pk]


def test_on_postgresql_the_ids_are_one_parameter_and_the_statement_stays_the_same(cards):
    if connection.vendor != "postgresql":
        pytest.skip("the array parameter is PostgreSQL's; elsewhere AnyOf is Django's IN")
    with CaptureQueriesContext(connection) as captured:
        list(Card.objects.filter(AnyOf(F("pk"), [cards[0].pk])).values_list("pk"))
        list(Card.objects.filter(AnyOf(F("pk"), [c.pk for c in cards])).values_list("pk"))
    first, second = (q["sql"] for q in captured.captured_queries)
    assert "= ANY(" in first
    # The SQL logged carries the values; with them taken out, both statements are one.
    assert first.split("ANY(")[0] == second.split("ANY(")[0]
