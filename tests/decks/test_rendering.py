"""Rendering: markdown-it-py, Pygments highlighting, nh3 sanitising, stored on save."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recall.decks.rendering import (
    _code_block,
    _highlight_code,
    _markdown,
    render_full,
    render_markdown,
    render_simple,
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
def test_plain_text_shortcut_renders_exactly_like_the_parser(text: str) -> None:
    assert render_markdown(text) == sanitize_html(_markdown().render(text))


def test_plain_question_takes_the_shortcut_and_markdown_does_not() -> None:
    assert render_markdown('What is "ASGI", really?') == '<p>What is "ASGI", really?</p>\n'
    assert render_markdown("What is `select_related`?") == (
        "<p>What is <code>select_related</code>?</p>\n"
    )


# The simple-Markdown shortcut (render_simple) against the reference path (render_full).
_FRAGMENTS = [
    "a", "Bc", "é", "1", "12", " ", "  ", "\n", "\n\n", "\t", "*", "**", "`", "``", "```",
    "```python\n", "_", "__", "-", "- ", "1. ", "3) ", "#", "# ", ".", ",", ":", "!", "?",
    "(", ")", '"', "'", "<", ">", "&", "[", "]", "\\", "~", "|", "=", "+", "{{c1::x}}",
    "x_y", "http://e.org", "\u00a0", "’", "---", "***", "> ",
]  # fmt: skip


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join))
@settings(max_examples=3000, deadline=None)
def test_simple_shortcut_is_exact_or_declines(source: str) -> None:
    simple = render_simple(source)
    full = render_full(source)
    assert simple is None or simple == full
    assert render_markdown(source) == full


_word = st.sampled_from(["state", "Queue", "é", "x1", "42", "a_b", "O(n)", "it's", '"q"', "50%"])
_code_text = st.text(alphabet="abc _*<>&\"'()=.[]\\#-~|", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s
)
_inline_piece = st.one_of(
    _word,
    _code_text.map(lambda s: f"`{s}`"),
    st.lists(st.sampled_from(["bold", "Two", "x9"]), min_size=1, max_size=3).map(
        lambda ws: f"**{' '.join(ws)}**"
    ),
)
_line = st.tuples(
    st.sampled_from(["The", "A", "Why", "é", "(see", "`x`", "**Note**"]),
    st.lists(_inline_piece, max_size=8),
    st.sampled_from(["", ".", "?", ":", ")"]),
).map(lambda t: " ".join([t[0], *t[1]]) + t[2])
_paragraph = st.lists(_line, min_size=1, max_size=3).map("\n".join)
_bullets = st.lists(_line, min_size=1, max_size=4).map(lambda ls: "\n".join(f"- {x}" for x in ls))
_ordered = st.tuples(st.integers(0, 20), st.lists(_line, min_size=1, max_size=4)).map(
    lambda t: "\n".join(f"{t[0] + i}. {x}" for i, x in enumerate(t[1]))
)
_fence = st.tuples(
    st.sampled_from(["", "python", "sql", "nosuchlang", "js"]),
    st.lists(
        st.text(alphabet="abc =:()'\"<>&\t#_\u00a0", max_size=20).filter(
            lambda s: not s.lstrip(" ").startswith("```")
        ),
        max_size=4,
    ),
).map(lambda t: "\n".join([f"```{t[0]}", *t[1], "```"]))


@st.composite
def _simple_documents(draw: st.DrawFn) -> str:
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        kinds = [_paragraph, _fence]
        last_was_list = bool(blocks) and (blocks[-1].startswith("- ") or blocks[-1][0].isdigit())
        if not last_was_list:
            kinds += [_bullets, _ordered]
        blocks.append(draw(st.one_of(kinds)))
    return "\n\n".join(blocks) + draw(st.sampled_from(["", "\n", "\n\n"]))


@given(_simple_documents())
@settings(max_examples=1500, deadline=None)
def test_simple_documents_take_the_shortcut_with_identical_output(source: str) -> None:
    simple = render_simple(source)
    assert simple is not None, source
    assert simple == render_full(source)


def test_shortcut_declines_what_it_does_not_know() -> None:
    for source in [
        "a [link](https://e.org)",
        "*em*",
        "# Heading",
        "- a\n\n- b",
        "a\n- b",
        "```py\nx\n```\ntext",
        "a  \nb",
        "    indented",
        "see <b>x</b>",
    ]:
        assert render_simple(source) is None, source
        assert render_markdown(source) == render_full(source)


@example("x = '&quot;' + \"&#39;\" + '&amp;' + '<b>\xa0</b>'", "python")
@example("a &#x27; 'b' \"c\" <d>", "")
@given(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", "python", "html", "nosuchlang"]),
)
@settings(max_examples=1500, deadline=None)
def test_code_blocks_skip_nh3_only_when_nh3_would_change_nothing_else(code: str, lang: str) -> None:
    assert _code_block(code, lang) == sanitize_html(_highlight_code(code, lang, "") + "\n")


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
