"""Tests of recall/core/text.py: question titles in lists read as plain text."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from recall.core.text import markdown_plain_text
from tests.factories import CardFactory, DeckFactory, UserFactory


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("What does {{c1::404}} mean?", "What does 404 mean?"),
        ("{{c1::GET::verb}} is {{c2::safe}}", "GET is safe"),
        ("What does `select_related` do?", "What does select_related do?"),
        ("What prints?\n```python\nprint(1)\n```", "What prints?"),
        ("~~~\nonly_code()\n~~~", "only_code()"),
        ("## Why **bold** and *emphasis*?", "Why bold and emphasis?"),
        ("See [the docs](https://example.com) ![alt](x.png)", "See the docs alt"),
        ("- a list\n> a quote\n1. first", "a list a quote first"),
        ("a * b and __init__ stay", "a * b and __init__ stay"),
    ],
)
def test_markdown_becomes_one_line_of_plain_text(markdown, text):
    assert markdown_plain_text(markdown) == text


def test_the_filter_escapes_what_it_returns():
    html = Template("{% load recall_tags %}{{ q|plain_text }}").render(
        Context({"q": "Is `<script>` {{c1::safe}}?"})
    )
    assert html == "Is &lt;script&gt; safe?"


@pytest.mark.django_db
def test_deck_and_search_lists_show_plain_titles(client):
    user = UserFactory()
    deck = DeckFactory(owner=user, slug="http")
    CardFactory(
        deck=deck,
        question="What does {{c1::404}} mean in `HTTP`?\n```http\nGET /gone\n```",
        answer="Not found",
    )
    client.force_login(user)
    for url, params in ((deck.get_absolute_url(), {}), ("/search/", {"q": "deck:http"})):
        html = client.get(url, params).content.decode()
        assert "What does 404 mean in HTTP?" in html, url
        # (The deck page's New note form explains cloze with a marker of its own.)
        assert "{{c1::404}}" not in html and "`HTTP`" not in html and "GET /gone" not in html
