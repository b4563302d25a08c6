"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, strikethrough), Pygments, nh3.

Rendering happens once, when a card is saved; pages only read the stored HTML.
Sanitising comes last, so neither the notes nor a highlighter bug can inject markup.
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .prompts import CLOZE_RE as CLOZE_RE  # the deletion pattern, for callers of this module
from .prompts import sub_cloze

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
# One line of words and harmless punctuation renders as a bare paragraph: most questions
# look like this, and skipping the parser for them makes imports markedly faster.
# Each character matches exactly one branch and the loop is possessive, so a match costs one
# pass over the text (the old nested form backtracked exponentially before a stray "!").
_PLAIN_TEXT_RE = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:?'\"()/@$%+-])*+")


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


def _may_link(source: str) -> bool:
    """Whether linkify could find a URL: the shortcuts below know nothing of links."""
    return "://" in source or ("mailto:" in source.lower())


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
    if _may_link(source):
        return render_full(source)
    if _PLAIN_TEXT_RE.fullmatch(source) and not source.endswith(" "):
        # Nothing to escape: the pattern admits no '<', '>' or '&'.
        return f"<p>{source}</p>\n"
    simple = render_simple(source)
    if simple is not None:
        return simple
    return render_full(source)


def render_full(source: str) -> str:
    """The reference path: markdown-it, then nh3 over the whole document."""
    # Cloze deletions show as highlighted text when reading a note; a marker inside code is
    # code (the rule of recall.decks.prompts, which makes the cards).
    source = sub_cloze(source, lambda number, inner, hint: f'<mark class="cloze">{inner}</mark>')
    return sanitize_html(_markdown().render(source))


# The shortcut below renders a subset of Markdown (paragraphs of text, `code` and **strong**,
# tight "-" and "1." lists, fenced code) exactly as render_full does, several times faster.
# Every pattern is deliberately narrower than CommonMark: anything outside it (links, HTML,
# entities, escapes, emphasis with "_" or a single "*", headings, nesting, indentation,
# trailing spaces, cloze markers) falls back to render_full. The tests compare both paths.
# The branches of a line start with different characters (` * or text) and each matches in
# one way only, so the possessive loop never needs to backtrack: matching stays linear.
_WORD = r"[^\W_]"
_CODE_SPAN = r"`[!-_a-~](?:[ -_a-~]*[!-_a-~])?`(?!`)"  # printable ASCII, no backtick
_STRONG = rf"(?<![^ ])\*\*{_WORD}(?:{_WORD}| )*?(?<={_WORD})\*\*(?![^ .,;:?!)])"
_TEXT = rf"(?:{_WORD}|[ ,.;:?!'\"()/@$%+=#-]|(?<={_WORD})_+(?={_WORD}))"
_LINE = (
    rf"(?:(?={_WORD})(?!\d+[.)])|(?=[\"'(`])|(?=\*\*{_WORD}))"
    rf"(?:{_CODE_SPAN}|{_STRONG}|{_TEXT})++(?<! )"
)
_LINE_RE = re.compile(_LINE)
_BULLET_RE = re.compile(rf"- ({_LINE})")
_ORDERED_RE = re.compile(rf"(\d{{1,9}})\. ({_LINE})")
_INLINE_RE = re.compile(rf"({_CODE_SPAN})|{_STRONG}")
_FENCE_OPEN_RE = re.compile(r"```([A-Za-z0-9_+#.-]*)")
_FENCE_LIKE_RE = re.compile(r" {0,3}```")


def _inline(line: str) -> str:
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if match.group(1):
            return f"<code>{html.escape(token[1:-1], quote=False)}</code>"
        return f"<strong>{token[2:-2]}</strong>"

    return _INLINE_RE.sub(one, line) if ("`" in line or "*" in line) else line


def _code_block(code: str, lang: str) -> str:
    block = _highlight_code(code, lang, "") + "\n"
    if _ODD_CHAR_RE.search(code):
        return sanitize_html(block)
    # What nh3 would do to Pygments' markup, at a fraction of the cost: it writes quotes in
    # text unescaped and a no-break space as an entity (tests compare with sanitize_html).
    for escaped, plain in _NH3_UNESCAPES:
        block = block.replace(escaped, plain)
    return block


# Pygments escapes ' as &#39;, html.escape (no lexer) as &#x27;.
_NH3_UNESCAPES = [("&quot;", '"'), ("&#39;", "'"), ("&#x27;", "'"), ("\xa0", "&nbsp;")]
# Characters an HTML parser may rewrite or drop: those code blocks go through nh3 itself.
_ODD_CHAR_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffd-\uffff\ud800-\udfff]")


def _simple_fence(lines: list[str], i: int, lang: str) -> tuple[str, int] | None:
    """The code block of the fence opening at line ``i`` and the line after it, or None
    when the fence is not simple (unclosed, a nested fence, text right after it)."""
    count = len(lines)
    end = i + 1
    while end < count and lines[end] != "```":
        if _FENCE_LIKE_RE.match(lines[end]):
            return None
        end += 1
    if end == count or (end + 1 < count and lines[end + 1]):
        return None  # unclosed, or text right after the fence
    code = "".join(f"{line}\n" for line in lines[i + 1 : end])
    return _code_block(code, lang), end + 1


def _simple_list(chunk: list[str]) -> str | None:
    """A paragraph of bullet or numbered items as a list, or None when it is neither."""
    bullets = [_BULLET_RE.fullmatch(line) for line in chunk]
    if all(bullets):
        body = "".join(f"<li>{_inline(m.group(1))}</li>\n" for m in bullets if m)
        return f"<ul>\n{body}</ul>\n"
    items = [_ORDERED_RE.fullmatch(line) for line in chunk]
    if not all(items):
        return None
    first = items[0]
    start = int(first.group(1)) if first else 1
    body = "".join(f"<li>{_inline(m.group(2))}</li>\n" for m in items if m)
    attr = "" if start == 1 else f' start="{start}"'
    return f"<ol{attr}>\n{body}</ol>\n"


def render_simple(source: str) -> str | None:
    """render_full's output for the simple subset of Markdown, or None outside it."""
    if "\r" in source or "\x00" in source or "{{" in source or _may_link(source):
        return None
    lines = source.split("\n")
    out: list[str] = []
    i, count = 0, len(lines)
    after_list = False
    while i < count:
        if not lines[i]:
            i += 1
            continue
        fence = _FENCE_OPEN_RE.fullmatch(lines[i])
        if fence is not None:
            block = _simple_fence(lines, i, fence.group(1))
            if block is None:
                return None
            html_block, i = block
            out.append(html_block)
            after_list = False
            continue
        end = i
        while end < count and lines[end]:
            end += 1
        chunk = lines[i:end]
        i = end
        if all(_LINE_RE.fullmatch(line) for line in chunk):
            out.append(f"<p>{chr(10).join(map(_inline, chunk))}</p>\n")
            after_list = False
            continue
        if after_list:
            return None  # two lists a blank line apart would merge into one loose list
        html_list = _simple_list(chunk)
        if html_list is None:
            return None
        out.append(html_list)
        after_list = True
    return "".join(out)


def render_many(sources: Sequence[str], *, done: Callable[[int], None] | None = None) -> list[str]:
    """render_markdown of each source, in order; large batches use every CPU (see
    ``render_chunks``). ``done`` is told how many more sources are rendered, as they are."""
    return [html for chunk in render_chunks(sources, done=done) for html in chunk]


@dataclass(frozen=True)
class RenderPool:
    """Rendering workers started ahead of the rendering (see ``render_pool``)."""

    executor: Executor
    renderers: int  # the workers and the calling process


def _renderers() -> int:
    return min(os.cpu_count() or 1, _MAX_WORKERS)


@contextmanager
def render_pool(texts: int) -> Iterator[RenderPool | None]:
    """Workers for a batch of ``texts`` sources, started now so that they are ready by the
    time the caller renders (a spawned worker takes a third of a second of CPU to start):
    an import starts them, then plans. None when rendering will be serial."""
    renderers = _renderers()
    if texts < PARALLEL_MIN_TEXTS or renderers < 2 or not _may_start_processes():
        yield None
        return
    try:
        executor = ProcessPoolExecutor(
            renderers - 1, mp_context=multiprocessing.get_context("spawn")
        )
        for _ in range(renderers - 1):
            executor.submit(_render_chunk, ["start"])  # each worker imports the renderer now
    except Exception:
        logger.warning("rendering workers did not start; rendering serially", exc_info=True)
        yield None
        return
    with executor:
        yield RenderPool(executor, renderers)


def render_chunks(
    sources: Sequence[str],
    *,
    done: Callable[[int], None] | None = None,
    pool: RenderPool | None = None,
) -> Iterator[list[str]]:
    """render_markdown of each source, handed back in order, a chunk at a time, as soon as
    each chunk is ready: the caller can write one chunk while workers render the next.

    The calling process is one of the renderers: while the next chunk is not ready it takes
    chunks from the end, while spawned workers (one fewer than the CPUs) take them from the
    start, so no CPU waits while the workers start. The workers are spawned (never forked:
    this process holds database connections and threads) and live for one call, or for the
    ``pool`` the caller started earlier (``render_pool``). Where processes may not start
    children, e.g. in a Celery prefork worker, or when the pool breaks, rendering is serial:
    same output.
    """
    report = done or (lambda n: None)
    renderers = pool.renderers if pool is not None else _renderers()
    if len(sources) < PARALLEL_MIN_TEXTS or renderers < 2 or not _may_start_processes():
        yield from _render_serially(sources, report)
        return
    # Several chunks per renderer even out the load; small ones keep the last wait short (the
    # calling process stops at the first chunk a worker has taken, up to two are queued there).
    size = -(-len(sources) // (renderers * 8))
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    if pool is not None:
        yield from _render_in(pool.executor, chunks, report)
        return
    try:
        own = ProcessPoolExecutor(renderers - 1, mp_context=multiprocessing.get_context("spawn"))
    except Exception:
        logger.warning("rendering workers did not start; rendering serially", exc_info=True)
        yield from _render_serially(sources, report)
        return
    with own:
        yield from _render_in(own, chunks, report)


def _render_in(
    executor: Executor, chunks: Sequence[Sequence[str]], report: Callable[[int], None]
) -> Iterator[list[str]]:
    rendered: list[list[str] | None] = [None] * len(chunks)
    k = 0  # the next chunk to hand back
    try:
        futures = [executor.submit(_render_chunk, chunk) for chunk in chunks]
        last = len(chunks) - 1  # the next chunk from the end this process may take
        while k < len(chunks):
            while rendered[k] is None:
                if futures[k].done() and not futures[k].cancelled():
                    rendered[k] = futures[k].result()
                    report(len(chunks[k]))
                elif last >= k and futures[last].cancel():
                    # No worker has taken it: this process renders it.
                    rendered[last] = _render_chunk(chunks[last])
                    report(len(chunks[last]))
                    last -= 1
                else:
                    # Workers take chunks in order: every one up to ``last`` is taken.
                    last = k - 1
                    rendered[k] = futures[k].result()
                    report(len(chunks[k]))
            chunk_html = rendered[k] or []
            rendered[k] = []  # handed back: not kept twice
            k += 1
            yield chunk_html
    except Exception:
        logger.warning("parallel rendering failed; rendering the rest serially", exc_info=True)
        for rest in range(k, len(chunks)):
            if rendered[rest] is None:
                rendered[rest] = _render_chunk(chunks[rest])
                report(len(chunks[rest]))
            yield rendered[rest] or []


def _render_serially(sources: Sequence[str], report: Callable[[int], None]) -> Iterator[list[str]]:
    for start in range(0, len(sources), _SERIAL_REPORT_EVERY):
        out = [render_markdown(s) for s in sources[start : start + _SERIAL_REPORT_EVERY]]
        report(len(out))
        yield out


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


class HasMarkdownFields(Protocol):
    """A note's Markdown and its stored HTML (a protocol: models import this module)."""

    question: str
    answer: str
    question_html: str
    answer_html: str


def render_card_fields(card: HasMarkdownFields) -> None:
    card.question_html = render_markdown(card.question)
    card.answer_html = render_markdown(card.answer)


def pygments_css() -> str:
    """The highlighting stylesheet (light and dark), for the site CSS and Anki note types."""
    light = HtmlFormatter(style="default").get_style_defs(f".{CODE_CSS_CLASS}")
    dark = HtmlFormatter(style="monokai").get_style_defs(f".{CODE_CSS_CLASS}")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
