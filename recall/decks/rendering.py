"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, strikethrough), Pygments, nh3.

Rendering happens once, when a card is saved; pages only read the stored HTML.
Sanitising comes last, so neither the notes nor a highlighter bug can inject markup.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

if TYPE_CHECKING:
    from .models import Card

CODE_CSS_CLASS = "highlight"

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "div": {"class"},
    "pre": {"class"},
    "code": {"class"},
    "mark": {"class"},
    "td": {"style"},
    "th": {"style"},
    "ol": {"start"},
}
_FORMATTER = HtmlFormatter(nowrap=True)
# One line of words and harmless punctuation renders as a bare paragraph: most questions
# look like this, and skipping the parser for them makes imports markedly faster.
_PLAIN_TEXT_RE = re.compile(r"[^\W\d_][^\W_]*(?:[ ,.;:?'\"()/@$%+-]+[^\W_]*)*[ ,.;:?'\"()/@$%+-]*")
_CLOZE_RE = re.compile(r"\{\{c(\d+)::(.+?)(?:::(.+?))?\}\}", re.DOTALL)


def _highlight_code(code: str, lang: str, _attrs: object) -> str:
    # Returning markup that starts with <pre> tells markdown-it not to wrap it again.
    language = lang.strip().split()[0] if lang and lang.strip() else ""
    lexer = _lexer(language) if language else None
    body = highlight(code, lexer, _FORMATTER) if lexer is not None else html.escape(code)
    lang_class = f' class="language-{html.escape(language)}"' if language else ""
    return f'<pre class="{CODE_CSS_CLASS}"><code{lang_class}>{body}</code></pre>\n'


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"highlight": _highlight_code, "html": True})
    md.enable(["table", "strikethrough"])
    return md


def sanitize_html(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def render_markdown(source: str) -> str:
    """Render Markdown to sanitised HTML (raw HTML in notes is allowed, then cleaned)."""
    if not source:
        return ""
    if _PLAIN_TEXT_RE.fullmatch(source) and not source.endswith(" "):
        # Nothing to escape: the pattern admits no '<', '>' or '&'.
        return f"<p>{source}</p>\n"
    # Cloze deletions show as highlighted text when reading a card.
    source = _CLOZE_RE.sub(lambda m: f'<mark class="cloze">{m.group(2)}</mark>', source)
    return sanitize_html(_markdown().render(source))


def render_card_fields(card: Card) -> None:
    card.question_html = render_markdown(card.question)
    card.answer_html = render_markdown(card.answer)


def pygments_css() -> str:
    """The highlighting stylesheet (light and dark), for the site CSS and Anki note types."""
    light = HtmlFormatter(style="default").get_style_defs(f".{CODE_CSS_CLASS}")
    dark = HtmlFormatter(style="monokai").get_style_defs(f".{CODE_CSS_CLASS}")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
