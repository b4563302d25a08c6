"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, strikethrough), Pygments, nh3.

Rendering happens once, when a card is saved; pages only read the stored HTML.
Sanitising comes last, so neither the notes nor a highlighter bug can inject markup.
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .prompts import CLOZE_RE as CLOZE_RE  # the deletion pattern, for callers of this module
from .prompts import sub_cloze

if TYPE_CHECKING:
    from .models import Note

logger = logging.getLogger(__name__)

CODE_CSS_CLASS = "highlight"
# Below this many texts a pool costs more to start (~0.2 s) than it saves.
PARALLEL_MIN_TEXTS = 1000
# Serial rendering reports progress after this many texts.
_SERIAL_REPORT_EVERY = 200
_MAX_WORKERS = 4

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
    md = MarkdownIt("commonmark", {"highlight": _highlight_code, "html": True, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    # Bare URLs become links only with a scheme (https://..., mailto:...): fuzzy matching
    # would turn file names such as asgi.py (.py is a country domain) into links, and
    # "//" would catch code comments.
    linkify = md.linkify
    assert linkify is not None  # linkify-it-py comes with markdown-it-py[linkify]
    linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    linkify.add("//", None)
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
    return render_full(source) if source else ""


def render_full(source: str) -> str:
    """The reference path: markdown-it, then nh3 over the whole document."""
    # Cloze deletions show as highlighted text when reading a note; a marker inside code is
    # code (the rule of recall.decks.prompts, which makes the cards).
    source = sub_cloze(source, lambda number, inner, hint: f'<mark class="cloze">{inner}</mark>')
    return sanitize_html(_markdown().render(source))


def render_many(sources: Sequence[str], *, done: Callable[[int], None] | None = None) -> list[str]:
    """render_markdown of each source, in order; large batches use every CPU.

    The workers are spawned (never forked: this process holds database connections and
    threads) and live for one call. Where processes may not start children, e.g. in a
    Celery prefork worker, or when the pool breaks, rendering is serial: same output.
    ``done`` is told how many more sources are rendered, as they are, for progress bars.
    """
    report = done or (lambda n: None)
    workers = min(os.cpu_count() or 1, _MAX_WORKERS)
    if len(sources) < PARALLEL_MIN_TEXTS or workers < 2 or not _may_start_processes():
        return _render_serially(sources, report)
    size = -(-len(sources) // (workers * 4))  # a few chunks per worker evens out the load
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    out: list[str] = []
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for chunk in pool.map(_render_chunk, chunks):
                out.extend(chunk)
                report(len(chunk))
        return out
    except Exception:
        logger.warning("parallel rendering failed; rendering serially", exc_info=True)
        return [*out, *_render_serially(sources[len(out) :], report)]


def _render_serially(sources: Sequence[str], report: Callable[[int], None]) -> list[str]:
    out: list[str] = []
    for start in range(0, len(sources), _SERIAL_REPORT_EVERY):
        out.extend(render_markdown(s) for s in sources[start : start + _SERIAL_REPORT_EVERY])
        report(len(out) - start)
    return out


def _render_chunk(sources: Sequence[str]) -> list[str]:
    return [render_markdown(s) for s in sources]


def _may_start_processes() -> bool:
    # Daemonic processes (multiprocessing's, or billiard's in a Celery prefork worker)
    # cannot have children; Celery's own pool is the parallelism there anyway.
    if multiprocessing.current_process().daemon:
        return False
    billiard = sys.modules.get("billiard.process")
    current = getattr(billiard, "current_process", None)
    return not (current is not None and getattr(current(), "daemon", False))


def render_card_fields(card: Note) -> None:
    card.question_html = render_markdown(card.question)
    card.answer_html = render_markdown(card.answer)


def pygments_css() -> str:
    """The highlighting stylesheet (light and dark), for the site CSS and Anki note types."""
    light = HtmlFormatter(style="default").get_style_defs(f".{CODE_CSS_CLASS}")
    dark = HtmlFormatter(style="monokai").get_style_defs(f".{CODE_CSS_CLASS}")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
