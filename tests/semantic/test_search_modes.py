"""The mode parameter of search (page and API), and visibility of semantic and hybrid hits:
the decks searched are those of the one read rule, whatever the mode."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from recall.decks import selectors as deck_selectors
from recall.decks.models import Visibility
from recall.decks.selectors import ListedDecks
from recall.search.backends import get_backend
from recall.search.selectors import meaning_text, search_cards
from recall.semantic import index
from recall.semantic.services import embed_all
from tests.factories import NoteFactory

from .conftest import Corpus, CountingEncoder

URL = "/api/v1/search/"
# Shares words with alice's private note "What does __init__ do?" ("initialises a new
# instance") but not all of them, so the lexical search (every word must match) finds nothing.
PARAPHRASE = "instance initialises constructor"


@pytest.fixture
def embedded(corpus: Corpus, encoder: CountingEncoder, settings) -> Corpus:
    settings.SEARCH_BACKEND = "sqlite" if connection.vendor == "sqlite" else "postgres"
    get_backend().rebuild()
    embed_all()
    return corpus


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(body: dict[str, Any]) -> set[int]:
    return {hit["card_id"] for hit in body["results"]}


def test_semantic_mode_finds_what_lexical_misses(embedded: Corpus):
    init = embedded.cards["init"].pk
    lexical = api(embedded.alice).get(URL, {"q": PARAPHRASE, "mode": "lexical"}).json()
    semantic = api(embedded.alice).get(URL, {"q": PARAPHRASE, "mode": "semantic"}).json()
    hybrid = api(embedded.alice).get(URL, {"q": PARAPHRASE, "mode": "hybrid"}).json()
    assert lexical["mode"] == "lexical" and init not in ids(lexical)
    assert semantic["mode"] == "semantic" and semantic["results"][0]["card_id"] == init
    assert hybrid["mode"] == "hybrid" and hybrid["results"][0]["card_id"] == init


def test_hybrid_is_the_default_when_available(embedded: Corpus):
    body = api(embedded.alice).get(URL, {"q": "select_related"}).json()
    assert body["mode"] == "hybrid"
    assert body["results"][0]["card_id"] == embedded.cards["select_related"].pk


def test_hybrid_ranks_a_hit_of_both_lists_first(embedded: Corpus):
    results = search_cards(user=embedded.alice, query="signals", mode="hybrid")
    lexical = search_cards(user=embedded.alice, query="signals", mode="lexical")
    semantic = search_cards(user=embedded.alice, query="signals", mode="semantic")
    both = {h.card_id for h in lexical.hits} & {h.card_id for h in semantic.hits}
    assert both and results.hits[0].card_id in both
    # Every hit of either list is in the fused one, once.
    fused = [h.card_id for h in results.hits]
    assert len(fused) == len(set(fused))
    assert {h.card_id for h in lexical.hits} | {h.card_id for h in semantic.hits} == set(fused)


def test_exclusions_and_filters_hold_in_semantic_mode(embedded: Corpus):
    cards = embedded.cards
    found = search_cards(user=embedded.alice, query="receivers signals", mode="semantic")
    assert {cards["signals_q"].pk, cards["signals_a"].pk} <= {h.card_id for h in found.hits}
    # signals_q's answer says "sender": excluded; signals_a's does not.
    hits = search_cards(user=embedded.alice, query="receivers signals -sender", mode="semantic")
    assert cards["signals_a"].pk in {h.card_id for h in hits.hits}
    assert cards["signals_q"].pk not in {h.card_id for h in hits.hits}
    tagged = search_cards(user=embedded.alice, query="receivers signals tag:orm", mode="semantic")
    assert {h.card_id for h in tagged.hits} <= {cards["select_related"].pk, cards["prefetch"].pk}


def test_meaning_text_drops_filters_exclusions_and_quotes():
    assert meaning_text('why "the gil" -celery deck:py tag:x threads') == "why the gil threads"


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_private_notes_never_reach_another_user(embedded: Corpus, mode: str):
    init, secret = embedded.cards["init"].pk, embedded.cards["secret"].pk
    for user in (embedded.bob, None):
        body = api(user).get(URL, {"q": PARAPHRASE, "mode": mode}).json()
        assert init not in ids(body)
    body = api(embedded.alice).get(URL, {"q": "bob private note select_related", "mode": mode})
    assert secret not in ids(body.json())
    # The same query finds it for its owner: the test above could fail.
    body = api(embedded.bob).get(URL, {"q": "bob private note select_related", "mode": mode})
    assert secret in ids(body.json())


def test_unlisted_decks_are_not_searched_by_meaning(embedded: Corpus):
    embedded.python.visibility = Visibility.UNLISTED
    embedded.python.save(update_fields=["visibility"])
    body = api(embedded.bob).get(URL, {"q": PARAPHRASE, "mode": "semantic"}).json()
    assert embedded.cards["init"].pk not in ids(body)


def test_semantic_search_follows_the_one_read_rule(embedded: Corpus, monkeypatch):
    init = embedded.cards["init"].pk
    assert init not in ids(api(embedded.bob).get(URL, {"q": PARAPHRASE, "mode": "semantic"}).json())
    original = deck_selectors.decks_readable_for

    def everyone_reads_everything(user: Any) -> ListedDecks:
        rule = original(user)
        return ListedDecks(rule.owner_id, (*rule.visibilities, Visibility.PRIVATE.value))

    monkeypatch.setattr(deck_selectors, "decks_readable_for", everyone_reads_everything)
    assert init in ids(api(embedded.bob).get(URL, {"q": PARAPHRASE, "mode": "semantic"}).json())


def test_an_unknown_mode_is_a_400(embedded: Corpus):
    response = api(embedded.alice).get(URL, {"q": "views", "mode": "psychic"})
    assert response.status_code == 400
    assert "mode" in response.json()["error"]["fields"]


def test_the_page_offers_the_modes_and_says_which_matched(embedded: Corpus):
    client = Client()
    client.force_login(embedded.alice)
    page = client.get("/search/", {"q": PARAPHRASE, "mode": "semantic"}).content.decode()
    assert 'data-mode="semantic"' in page and "Matched by meaning (semantic)" in page
    assert '<option value="semantic" selected>' in page
    assert embedded.cards["init"].get_absolute_url() in page
    default = client.get("/search/", {"q": "select_related"}).content.decode()
    assert 'data-mode="hybrid"' in default
    bad = client.get("/search/", {"q": "views", "mode": "psychic"})
    assert bad.status_code == 200 and "mode must be one of" in bad.content.decode()


def test_without_the_extra_search_is_lexical_and_says_so(corpus: Corpus, semantic_off):
    get_backend().rebuild()
    body = api(corpus.alice).get(URL, {"q": "select_related"}).json()
    assert body["mode"] == "lexical" and body["count"] >= 1
    refused = api(corpus.alice).get(URL, {"q": "select_related", "mode": "semantic"})
    assert refused.status_code == 400 and "semantic extra" in str(refused.json())
    client = Client()
    client.force_login(corpus.alice)
    page = client.get("/search/", {"q": "select_related"}).content.decode()
    assert 'data-mode="lexical"' in page and "Meaning-aware search is not installed" in page
    assert '<option value="semantic"' not in page  # only what can run is offered


def test_the_semantic_page_costs_the_same_queries_for_more_hits(embedded: Corpus):
    def statements() -> int:
        # A warm call first: the first search after new embeddings reads them (numpy ranking).
        search_cards(user=embedded.alice, query="django signals middleware", mode="hybrid")
        with CaptureQueriesContext(connection) as ctx:
            search_cards(user=embedded.alice, query="django signals middleware", mode="hybrid")
        return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])

    NoteFactory.create_batch(2, deck=embedded.django, question="Django signals middleware")
    get_backend().rebuild()
    embed_all()
    few = statements()
    NoteFactory.create_batch(10, deck=embedded.django, question="Django signals middleware")
    get_backend().rebuild()
    embed_all()
    # Not one statement per hit (which hits need their card read varies with the engine).
    assert statements() <= few


def test_the_ranking_engine_is_named(db):
    assert index.engine_name() in {index.SQLITE_VEC, index.NUMPY}


def test_hybrid_matches_any_content_word_and_trusts_meaning_more(embedded: Corpus, monkeypatch):
    from recall.search import selectors

    cards = embedded.cards
    question = "how does an object get initialises by the constructor"
    # Meaning finds only prefetch here, so what else hybrid shows came from the words.
    monkeypatch.setattr(
        selectors, "_semantic_ranking", lambda *a, **k: [(cards["prefetch"].pk, 0.9)]
    )
    assert search_cards(user=embedded.alice, query=question, mode="lexical").hits == []
    hybrid = [h.card_id for h in search_cards(user=embedded.alice, query=question).hits]
    # Both lists' first: meaning's weighs more than the words' (weight < 1).
    assert hybrid[0] == cards["prefetch"].pk
    # Matched by "initialises"; classmethod by "constructors".
    assert {cards["init"].pk, cards["classmethod"].pk} <= set(hybrid)
    # "does" is in select_related's question, but stop words match nothing.
    assert cards["select_related"].pk not in hybrid


def test_hybrid_puts_a_note_holding_every_word_above_meanings_first(embedded: Corpus, monkeypatch):
    from recall.search import selectors

    cards = embedded.cards
    # Meaning misses the exact match (as it can among many notes): the words still lead.
    monkeypatch.setattr(
        selectors, "_semantic_ranking", lambda *a, **k: [(cards["prefetch"].pk, 0.9)]
    )
    hybrid = [h.card_id for h in search_cards(user=embedded.alice, query="select_related").hits]
    assert hybrid[:2] == [cards["select_related"].pk, cards["prefetch"].pk]


def test_hybrid_with_nothing_near_in_meaning_falls_back_to_any_word(embedded: Corpus, monkeypatch):
    from recall.search import selectors

    cards = embedded.cards
    question = "how does an object get initialises by the constructor"
    # No note clears the meaning cut-off and none holds every word: the notes holding any
    # content word, not an empty page.
    monkeypatch.setattr(selectors, "_semantic_ranking", lambda *a, **k: [])
    assert search_cards(user=embedded.alice, query=question, mode="lexical").hits == []
    found = search_cards(user=embedded.alice, query=question)
    assert found.mode == "hybrid" and found.total == len(found.hits) >= 2
    assert {cards["init"].pk, cards["classmethod"].pk} <= {h.card_id for h in found.hits}
    # A note holding every word is still shown alone, as the lexical ranking has it.
    exact = search_cards(user=embedded.alice, query="select_related")
    assert [h.card_id for h in exact.hits] == [cards["select_related"].pk]
