"""Rendering: markdown-it-py, Pygments highlighting, nh3 sanitising, stored on save."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recall.decks.rendering import (
    _markdown,
    render_markdown,
    sanitize_html,
)
from tests.factories import CardFactory


def test_fenced_code_is_highlighted_with_language_from_fence() -> None:
    html = render_markdown("```python\ndef f():\n    return 1\n```\n")
    assert '<code class="language-python">' in html
    assert '<span class="k">def</span>' in html


def test_tables_and_strikethrough_render() -> None:
    html = render_markdown("|a|b|\n|-|-|\n|1|2|\n\n~~gone~~\n")
    assert "<table>" in html and "<td>2</td>" in html
    assert "<s>gone</s>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://example.com'></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_hostile_html_is_removed(hostile: str) -> None:
    html = render_markdown(hostile).lower()
    assert "<script" not in html
    assert "onerror" not in html
    assert 'href="javascript' not in html
    assert "url(javascript" not in html
    assert "<iframe" not in html


def test_unknown_fence_language_is_escaped_not_lost() -> None:
    html = render_markdown("```nosuchlang\n<b>x</b>\n```\n")
    assert "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.django_db
def test_card_html_is_rendered_on_save() -> None:
    card = CardFactory(question="What is **this**?", answer="`x = 1`")
    card.refresh_from_db()
    assert card.question_html == "<p>What is <strong>this</strong>?</p>\n"
    assert "<code>x = 1</code>" in card.answer_html


_PLAIN_ALPHABET = "abcXYZé 19,.;:?'\"()/@$%+-"


@given(st.text(alphabet=_PLAIN_ALPHABET, min_size=1, max_size=40))
@settings(max_examples=400, deadline=None)
def test_plain_text_renders_exactly_like_the_parser(text: str) -> None:
    assert render_markdown(text) == sanitize_html(_markdown().render(text))


def test_plain_questions_render_as_one_paragraph() -> None:
    assert render_markdown('What is "ASGI", really?') == '<p>What is "ASGI", really?</p>\n'
    assert render_markdown("What is `select_related`?") == (
        "<p>What is <code>select_related</code>?</p>\n"
    )


def test_bare_urls_become_links_and_file_names_do_not() -> None:
    html = render_markdown("Docs: https://docs.djangoproject.com/en/5.2/ref/models/.")
    assert html == (
        '<p>Docs: <a href="https://docs.djangoproject.com/en/5.2/ref/models/" '
        'rel="noopener noreferrer nofollow">https://docs.djangoproject.com/en/5.2/ref/models/</a>.</p>\n'
    )
    assert "<a " in render_markdown("Write to mailto:team@example.com")
    # No scheme, no link: file names and domains stay text (.py is a country domain).
    for text in ["Edit asgi.py and wsgi.py", "see example.com", "x //localhost y", "a@b.com"]:
        assert "<a " not in render_markdown(text), text
    # Code keeps URLs as code; unsafe schemes are never linked.
    assert "<a " not in render_markdown("`https://example.com`")
    assert "<a " not in render_markdown("```\nhttps://example.com\n```")
    assert "href" not in render_markdown("javascript://alert(1)")
