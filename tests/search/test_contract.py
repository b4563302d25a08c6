"""One contract, every backend: the same queries give the same hits on each engine."""

from __future__ import annotations

import pytest

from recall.decks import services as deck_services
from recall.decks.models import Visibility
from recall.search.query import QueryError
from recall.search.selectors import search_cards
from tests.factories import NoteFactory


def keys_for(corpus, results) -> list[str]:
    by_id = {card.pk: key for key, card in corpus.cards.items()}
    return [by_id[h.card_id] for h in results.hits]


def search(corpus, query: str, **kwargs) -> list[str]:
    user = kwargs.pop("user", corpus.alice)
    return keys_for(corpus, search_cards(user=user, query=query, **kwargs))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("select_related", ["select_related"]),
        ("prefetch_related", ["prefetch"]),
        ("__init__", ["init"]),
        ("asgi.py", ["asgi"]),
        ("@classmethod", ["classmethod"]),
        ("SELECT_RELATED", ["select_related"]),
    ],
)
def test_code_tokens_find_the_cards_that_contain_them(indexed, query, expected):
    assert search(indexed, query) == expected


def test_all_words_must_match(indexed):
    assert search(indexed, "foreign keys join") == ["select_related"]
    assert search(indexed, "foreign keys uvicorn") == []


def test_stemming_matches_word_forms(indexed):
    assert search(indexed, "initialise instances") == ["init"]


def test_phrase_matches_adjacent_words_only(indexed):
    assert search(indexed, '"class based view"') == ["view"]
    assert search(indexed, '"view based class"') == []


def test_exclusion_drops_cards_with_the_word(indexed):
    both = set(search(indexed, "receivers"))
    assert both == {"signals_q", "signals_a"}
    assert search(indexed, "receivers -synchronously") == ["signals_a"]
    assert search(indexed, 'receivers -"same transaction"') == ["signals_q"]


def test_prefix_matches_word_starts(indexed):
    assert search(indexed, "middlew*") == ["middleware"]
    assert search(indexed, "prefetch_rel*") == ["prefetch"]


def test_prefix_matches_are_highlighted(indexed):
    hit = search_cards(user=indexed.alice, query="middlew*").hits[0]
    assert "<mark>" in hit.question_snippet
    assert "middleware" in hit.question_snippet.lower()


def test_question_weighs_more_than_answer(indexed):
    # "signals" is in the question of one card and only in the answer of the other.
    assert search(indexed, "signals") == ["signals_q", "signals_a"]


def test_deck_and_tag_filters_in_the_query_and_as_parameters(indexed):
    assert set(search(indexed, "instance")) == {"init", "classmethod"}
    assert set(search(indexed, "instance deck:python tag:oop")) == {"init", "classmethod"}
    assert search(indexed, "instance deck:django") == []
    assert set(search(indexed, "query deck:django")) == {"select_related", "prefetch"}
    assert search(indexed, "query", deck_slug="python") == []
    assert set(search(indexed, "query", tag="ORM")) == {"select_related", "prefetch"}
    assert set(search(indexed, "receivers", tag="signals")) == {"signals_q", "signals_a"}
    assert search(indexed, "receivers", tag="celery") == []


def test_a_tag_or_deck_alone_lists_its_cards_on_every_backend(indexed):
    assert set(search(indexed, "tag:orm")) == {"select_related", "prefetch"}
    assert set(search(indexed, "", tag="oop", deck_slug="python")) == {"init", "classmethod"}
    assert set(search(indexed, "deck:python tag:oop")) == {"init", "classmethod"}
    assert search(indexed, "", tag="celery", deck_slug="python") == []
    # Visibility holds: bob's private "orm" card is listed for bob only.
    assert "secret" not in search(indexed, "tag:orm")
    assert "secret" in search(indexed, "tag:orm", user=indexed.bob)
    assert set(search(indexed, "tag:orm", user=None)) == {"select_related", "prefetch"}


def test_a_filter_listing_pages_and_counts(indexed):
    results = search_cards(user=indexed.alice, query="deck:django", page_size=3)
    django_cards = {k for k, v in indexed.cards.items() if v.deck_id == indexed.django.pk}
    assert results.total == len(django_cards) and results.num_pages > 1
    seen = set(keys_for(indexed, results))
    for page in range(2, results.num_pages + 1):
        more = search_cards(user=indexed.alice, query="deck:django", page=page, page_size=3)
        seen |= set(keys_for(indexed, more))
    assert seen == django_cards


def test_snippets_highlight_matches_and_escape_html(indexed):
    results = search_cards(user=indexed.alice, query="select_related")
    hit = results.hits[0]
    assert "<mark>" in hit.question_snippet
    assert "select" in hit.question_snippet.lower()

    html = search_cards(user=indexed.alice, query="escape ampersands").hits[0]
    for snippet in (html.question_snippet, html.answer_snippet):
        assert "<script>" not in snippet and "<b>" not in snippet
        assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "&lt;" in html.question_snippet or "alert" in html.question_snippet
    assert "&amp;" in html.answer_snippet


def test_hits_carry_a_score_best_first(indexed):
    results = search_cards(user=indexed.alice, query="signals")
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]


def test_pagination_gives_total_and_pages(indexed, search_backend):
    extra = [
        NoteFactory(deck=indexed.django, question=f"Paginated card {i}", answer="pagination")
        for i in range(5)
    ]
    search_backend.index([c.pk for c in extra])
    first = search_cards(user=indexed.alice, query="paginated", page=1, page_size=2)
    assert first.total == 5
    assert len(first.hits) == 2
    second = search_cards(user=indexed.alice, query="paginated", page=2, page_size=2)
    third = search_cards(user=indexed.alice, query="paginated", page=3, page_size=2)
    assert second.total == third.total == 5
    ids = [h.card_id for r in (first, second, third) for h in r.hits]
    assert sorted(ids) == sorted(c.pk for c in extra)
    beyond = search_cards(user=indexed.alice, query="paginated", page=9, page_size=2)
    assert beyond.hits == [] and beyond.total == 5


def test_remove_and_index_keep_the_index_in_step(indexed, search_backend):
    card = indexed.cards["middleware"]
    search_backend.remove([card.pk])
    assert search(indexed, "middleware") == []
    search_backend.index([card.pk])
    assert search(indexed, "middleware") == ["middleware"]

    card.question = "What is a request hook chain?"
    card.answer = "Hooks around requests."
    card.save()
    search_backend.index([card.pk])
    assert search(indexed, "middleware") == []
    assert search(indexed, "hook chain") == ["middleware"]


def test_archived_cards_leave_the_index(indexed, search_backend):
    card = indexed.cards["middleware"]
    card.is_archived = True
    card.save()
    search_backend.index([card.pk])
    assert search(indexed, "middleware") == []
    search_backend.rebuild()
    assert search(indexed, "middleware") == []


def test_deleted_card_ids_are_removed_by_index(indexed, search_backend):
    card = indexed.cards["middleware"]
    card_id = card.pk
    card.delete()
    search_backend.index([card_id])
    assert search_cards(user=indexed.alice, query="middleware").total == 0


def test_rebuild_reports_progress_and_counts_live_cards(corpus, search_backend):
    seen: list[tuple[int, int]] = []
    indexed = search_backend.rebuild(progress=lambda done, total: seen.append((done, total)))
    assert indexed == len(corpus.cards)
    assert seen[-1] == (len(corpus.cards), len(corpus.cards))


def test_only_exclusions_is_a_query_error(indexed):
    with pytest.raises(QueryError):
        search_cards(user=indexed.alice, query="-celery")


def test_visibility_change_needs_at_most_a_deck_refresh(indexed, search_backend):
    indexed.python.visibility = Visibility.PUBLIC
    indexed.python.save()
    if search_backend.denormalises_decks:
        search_backend.refresh_decks([indexed.python.pk])  # what the deck's signal queues
    assert search(indexed, "__init__", user=indexed.bob) == ["init"]


def test_hit_card_summary_has_the_card_and_deck_fields(indexed):
    hit = search_cards(user=indexed.alice, query="select_related").hits[0]
    card = indexed.cards["select_related"]
    assert hit.card.pk == card.pk and hit.card.question == card.question
    assert (hit.card.deck.slug, hit.card.deck.title) == ("django", "Django")
    assert hit.card.get_absolute_url() == card.get_absolute_url() == hit.url
    assert hit.card.deck.get_absolute_url() == indexed.django.get_absolute_url()
    with pytest.raises(AttributeError):
        hit.card.answer  # noqa: B018 - not loaded, and says so


def test_a_note_is_one_hit_whatever_its_number_of_cards(
    indexed, django_capture_on_commit_callbacks
):
    deck = indexed.django
    with django_capture_on_commit_callbacks(execute=True):
        note = deck_services.note_create(
            deck=deck, kind="reversed", question="Zanzibar gateway?", answer="zanzibar router"
        )
        cloze = deck_services.note_create(
            deck=deck, kind="cloze", question="{{c1::Zanzibar}} {{c2::isle}} {{c3::zanzibar}}"
        )
    assert note.cards.count() == 2 and cloze.cards.count() == 3
    hits = search_cards(user=indexed.alice, query="zanzibar").hits
    assert sorted(h.card_id for h in hits) == sorted([note.pk, cloze.pk])
