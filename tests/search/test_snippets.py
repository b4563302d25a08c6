"""Snippets read as text: Markdown syntax is dropped, highlights and code stay."""

from __future__ import annotations

import pytest

from recall.search.base import HIGHLIGHT_END, HIGHLIGHT_START, snippet_html
from recall.search.selectors import search_cards
from tests.factories import NoteFactory


def mark(word: str) -> str:
    return f"{HIGHLIGHT_START}{word}{HIGHLIGHT_END}"


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        (f"## Using {mark('select_related')}", "Using <mark>select_related</mark>"),
        (
            f"```python\nqs.{mark('select_related')}('deck')\n```",
            "qs.<mark>select_related</mark>(&#x27;deck&#x27;)",
        ),
        (f"Call `{mark('__init__')}` **once**", "Call <mark>__init__</mark> once"),
        (f"See [the {mark('docs')}](https://example.com/x)", "See the <mark>docs</mark>"),
        (f"- first\n- {mark('second')} item\n> quoted", "first <mark>second</mark> item quoted"),
        ("a * b and __str__ stay", "a * b and __str__ stay"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
def test_snippet_drops_markdown_syntax_only(raw, html):
    assert snippet_html(raw) == html


def test_search_snippets_of_markdown_cards_read_as_text(indexed, search_backend):
    card = NoteFactory(
        deck=indexed.django,
        question="## Which *method* avoids the N+1 queries?",
        answer="```python\nBook.objects.prefetch_related('authors')\n```\nSee `prefetch_related`.",
    )
    search_backend.index([card.pk])
    hits = search_cards(user=indexed.alice, query="authors").hits
    assert len(hits) == 1
    snippet = hits[0].answer_snippet
    assert "```" not in snippet and "`" not in snippet
    assert "<mark>authors</mark>" in snippet and "prefetch_related" in snippet
    assert "##" not in hits[0].question_snippet
