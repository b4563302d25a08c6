"""Anki field HTML becomes Markdown only when the Markdown renders the same."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from recall.decks.importers.html_to_markdown import html_field_to_markdown
from recall.decks.rendering import render_markdown


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("What is <b>Django</b>?", "What is **Django**?"),
        ("<i>lazy</i> evaluation", "*lazy* evaluation"),
        ("line one<br>line two<br>", "line one\\\nline two"),
        ("<div>first</div><div>second &amp; third</div>", "first\n\nsecond & third"),
        ("<ul><li>one</li><li>two <i>more</i></li></ul>", "- one\n- two *more*"),
        ("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second"),
        (
            '<a href="https://docs.djangoproject.com/">docs</a>',
            "[docs](https://docs.djangoproject.com/)",
        ),
        ('<img src="/media/anki/ab/pic.png" alt="a pic">', "![a pic](/media/anki/ab/pic.png)"),
        ("use <code>select_related()</code>", "use `select_related()`"),
        ("<pre>def f():\n    return 1</pre>", "```\ndef f():\n    return 1\n```"),
        ("<h2>Title</h2>text", "## Title\n\ntext"),
    ],
)
def test_common_anki_html_becomes_markdown(field, expected):
    assert html_field_to_markdown(field) == expected


@pytest.mark.parametrize(
    "field",
    [
        "2*3*4 and snake_case_name",
        "1. not a list",
        "# not a heading",
        "&lt;script&gt;alert(1)&lt;/script&gt; is text",
        "[not](a link) and `not code`",
        "Q&amp;A about &amp;copy; entities",
        "a | b | c",
    ],
)
def test_markdown_characters_in_text_stay_literal(field):
    rendered = render_markdown(html_field_to_markdown(field))
    # The card shows exactly the text Anki showed, with no markup the field did not have.
    assert _text(rendered) == _text(field)
    assert not re.search(r"<(em|strong|a|code|h1|ol|table)\b", rendered)


def _text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize(
    "field",
    ["x<sup>2</sup> + y<sub>1</sub>", "<table><tr><td>cell</td></tr></table>"],
)
def test_html_without_markdown_form_is_kept_as_sanitised_html(field):
    converted = html_field_to_markdown(field)
    assert converted.startswith("<div>")
    # Markdown passes the block through: what is shown is the sanitised field.
    rendered = render_markdown(converted)
    assert _text(rendered) == _text(field)
    assert "<sup>" in rendered or "<table>" in rendered


def test_scripts_and_event_handlers_are_removed():
    converted = html_field_to_markdown('<script>alert(1)</script><b onclick="x()">hi</b>')
    assert converted == "**hi**"
    assert "script" not in render_markdown(converted)


def test_cloze_markers_survive_conversion():
    field = "{{c1::Paris}} is the capital of {{c2::<b>France</b>::country}}"
    assert html_field_to_markdown(field) == (
        "{{c1::Paris}} is the capital of {{c2::**France**::country}}"
    )


def test_emphasis_that_markdown_cannot_express_falls_back_to_html():
    # "**" after a quote and before a letter does not close emphasis in Markdown.
    converted = html_field_to_markdown('<b>"quoted"</b>suffix')
    rendered = render_markdown(converted)
    assert "<b>" in rendered or "<strong>" in rendered
    assert html_lib.unescape(re.sub(r"<[^>]+>", "", rendered)).strip() == '"quoted"suffix'


def test_blank_lines_inside_kept_html_do_not_end_the_block():
    converted = html_field_to_markdown("<pre class='x'>a\n\nb</pre><sup>1</sup>")
    assert "\n\n" not in converted
    assert "<sup>1</sup>" in render_markdown(converted)


def test_empty_and_whitespace_fields_give_empty_markdown():
    assert html_field_to_markdown("") == ""
    assert html_field_to_markdown("<div><br></div>") == ""
