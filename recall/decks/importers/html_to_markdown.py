"""Sanitised HTML (an Anki field) to Markdown, only when the Markdown renders the same.

``html_field_to_markdown`` sanitises first, converts the common subset Anki's editor writes
(paragraphs and ``<div>`` lines, ``<br>``, bold, italic, strike-through, inline code and
``<pre>``, lists, links, images, headings, rules, quotes), then renders the Markdown back and
compares it with the sanitised HTML: same text, same emphasis, same links and images. When
anything differs, or an element has no Markdown form (tables, sub/superscript, classes), the
field is kept as sanitised HTML inside a ``<div>`` block, which Markdown passes through as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from recall.decks.rendering import render_markdown, sanitize_html

_VOID = {"br", "img", "hr"}
_BLOCKS = {"p", "div", "ul", "ol", "li", "pre", "blockquote", "hr", "h1", "h2", "h3", "h4", "h5"}
_BLOCKS |= {"h6", "table", "tr", "td", "th", "thead", "tbody", "details", "summary"}
_INLINE_MARKERS = {"b": "B", "strong": "B", "i": "I", "em": "I", "code": "C", "del": "S", "s": "S"}
_INLINE_MARKERS |= {"pre": "PRE", "li": "LI", "blockquote": "Q", "hr": "HR", "mark": "M"}
_INLINE_MARKERS |= {"h1": "H1", "h2": "H2", "h3": "H3", "h4": "H4", "h5": "H5", "h6": "H6"}
# Characters with a meaning in Markdown text; escaped so they stay literal.
_ESCAPE_RE = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY_RE = re.compile(r"&(#?[A-Za-z0-9]+;)")
# Indentation is blanks within the line: a "\s*" that crossed newlines rescanned every
# following blank line from each line start (quadratic on a field of empty lines).
_LINE_START_RE = re.compile(r"^([^\S\n]*)([#+\-=])", re.MULTILINE)
_LINE_START_NUMBER_RE = re.compile(r"^([^\S\n]*\d+)([.)])", re.MULTILINE)
# Cloze markers must survive the round trip untouched; a plain word does.
_CLOZE_OPEN = "{{"
_CLOZE_PLACEHOLDER = "RecallClozeOpenToken"
_WS_RE = re.compile(r"\s+")
# Deeper HTML has no Markdown form worth the recursion (the converter recurses per level;
# a field 3,000 levels deep overflowed Python's stack): it stays sanitised HTML.
MAX_DEPTH = 100
# CommonMark's limit for the number that starts an ordered list.
_LIST_START_RE = re.compile(r"[0-9]{1,9}")


class Unsupported(Exception):
    """The HTML holds something this converter has no faithful Markdown for."""


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            if len(self.stack) > MAX_DEPTH:
                raise Unsupported(f"elements nested more than {MAX_DEPTH} deep")
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _parse(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def html_field_to_markdown(raw_html: str) -> str:
    """Markdown for an HTML field when it renders faithfully, else the sanitised HTML block."""
    clean = sanitize_html(raw_html).strip()
    if not clean:
        return ""
    try:
        markdown = _Converter().convert(_parse(clean)).strip()
    except Unsupported:
        return html_block(clean)
    if _signature(clean) != _signature(_render_plain(markdown)):
        return html_block(clean)
    return markdown


def html_block(clean_html: str) -> str:
    """Sanitised HTML that Markdown keeps verbatim: a ``<div>`` block with no blank line."""
    # A blank line would end the HTML block; a newline entity keeps the same text.
    body = re.sub(r"\n[ \t]*(?=\n)", "\n&#10;", clean_html)
    if body.startswith("<div>"):
        # Already an HTML block to Markdown (a field kept as HTML before): not wrapped again,
        # so exporting and importing it any number of times gives the same text.
        return body
    return f"<div>{body}</div>"


def _render_plain(markdown: str) -> str:
    # Cloze deletions are shown as <mark> by render_markdown; the source HTML has none.
    return render_markdown(markdown.replace(_CLOZE_OPEN, _CLOZE_PLACEHOLDER))


def _signature(html: str) -> list[str]:
    """What a reader sees: the text, with emphasis, code, lists, links and images marked."""
    collector = _SignatureCollector()
    collector.feed(html.replace(_CLOZE_OPEN, _CLOZE_PLACEHOLDER))
    collector.close()
    return collector.result()


class _SignatureCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.text: list[str] = []
        self.in_pre = 0

    def _flush(self) -> None:
        text = _WS_RE.sub(" ", "".join(self.text).replace("\xa0", " ")).strip()
        if text:
            self.items.append(text)
        self.text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _BLOCKS or tag == "br":
            self.text.append(" ")
        self.in_pre += tag == "pre"
        # Markdown wraps a code block's text in <code>; Anki's <pre> may not.
        marker = None if tag == "code" and self.in_pre else _INLINE_MARKERS.get(tag)
        if tag == "a":
            marker = f"A:{values.get('href') or ''}"
        elif tag == "img":
            marker = f"IMG:{values.get('src') or ''}:{values.get('alt') or ''}"
        if marker:
            self._flush()
            self.items.append(f"<{marker}")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.text.append(" ")
        if tag == "code" and self.in_pre:
            return
        self.in_pre -= tag == "pre" and self.in_pre > 0
        if tag in _INLINE_MARKERS or tag == "a":
            self._flush()
            self.items.append(f"{_INLINE_MARKERS.get(tag, 'A')}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def result(self) -> list[str]:
        self._flush()
        return self.items


def _escape(text: str) -> str:
    text = _ESCAPE_RE.sub(r"\\\1", text)
    return _ENTITY_RE.sub(r"\\&\1", text)


class _Converter:
    """Block-structured conversion; raises Unsupported for anything without a Markdown form."""

    def convert(self, root: _Node) -> str:
        return "\n\n".join(self._blocks(root.children))

    def _blocks(self, children: list[_Node | str]) -> list[str]:
        blocks: list[str] = []
        inline: list[_Node | str] = []

        def flush() -> None:
            text = self._paragraph(inline)
            if text:
                blocks.append(text)
            inline.clear()

        for child in children:
            if isinstance(child, _Node) and child.tag in _BLOCKS:
                flush()
                blocks.extend(self._block(child))
            else:
                inline.append(child)
        flush()
        return blocks

    def _paragraph(self, nodes: list[_Node | str]) -> str:
        text = "".join(self._inline(n) for n in nodes)
        lines = [line.strip() for line in text.split("\n")]
        # Trailing hard breaks mean nothing at the end of a paragraph.
        while lines and lines[-1] in ("", "\\"):
            lines.pop()
        lines = [line for line in lines if line]
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1].rstrip()
        text = "\n".join(lines)
        # Block syntax at the start of a line would change the meaning: escape it.
        text = _LINE_START_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        return _LINE_START_NUMBER_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)

    def _block(self, node: _Node) -> list[str]:
        tag = node.tag
        # Recall's own highlighted code block (an export of ours) is a fence again.
        ours = tag == "pre" and node.attrs.get("class") == "highlight"
        if node.attrs.get("class") and not ours:
            raise Unsupported(f"class on <{tag}>")
        if tag in ("p", "div"):
            return self._blocks(node.children)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self._paragraph(node.children).replace("\n", " ")
            return [f"{'#' * int(tag[1])} {text}"] if text else []
        if tag == "hr":
            return ["---"]
        if tag == "pre":
            return [self._fence(node)]
        if tag in ("ul", "ol"):
            return [self._list(node)]
        if tag == "blockquote":
            inner = "\n\n".join(self._blocks(node.children))
            return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
        raise Unsupported(f"<{tag}>")

    def _fence(self, node: _Node) -> str:
        code = _text_content(node)
        if code.endswith("\n"):
            code = code[:-1]
        fence = "```"
        while fence in code:
            fence += "`"
        language = ""
        inner = [c for c in node.children if isinstance(c, _Node)]
        if len(inner) == 1 and inner[0].tag == "code":
            language = inner[0].attrs.get("class", "").removeprefix("language-")
            if not re.fullmatch(r"[A-Za-z0-9_+#.-]*", language):
                raise Unsupported("unusual code language")
        return f"{fence}{language}\n{code}\n{fence}"

    def _list(self, node: _Node) -> str:
        ordered = node.tag == "ol"
        start = 1
        if ordered and node.attrs.get("start"):
            # start="abc" (or a huge number) has no Markdown form: keep the HTML.
            if not _LIST_START_RE.fullmatch(node.attrs["start"].strip()):
                raise Unsupported(f"<ol start={node.attrs['start']!r}>")
            start = int(node.attrs["start"])
        items: list[str] = []
        number = start
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    raise Unsupported("text directly inside a list")
                continue
            if child.tag != "li":
                raise Unsupported(f"<{child.tag}> inside a list")
            marker = f"{number}." if ordered else "-"
            number += 1
            body = "\n\n".join(self._blocks(child.children)) or ""
            pad = " " * (len(marker) + 1)
            lines = body.split("\n")
            rendered = [f"{marker} {lines[0]}".rstrip()]
            rendered += [f"{pad}{line}" if line else "" for line in lines[1:]]
            items.append("\n".join(rendered))
        return "\n".join(items)

    def _inline(self, node: _Node | str) -> str:
        if isinstance(node, str):
            return _escape(_WS_RE.sub(" ", node))
        tag = node.tag
        if node.attrs.get("class") and tag != "span":
            raise Unsupported(f"class on <{tag}>")
        if tag == "br":
            return "\\\n"
        if tag in ("b", "strong", "i", "em", "del", "s"):
            inner = "".join(self._inline(c) for c in node.children)
            if not inner.strip():
                return inner
            mark = {"b": "**", "strong": "**", "i": "*", "em": "*"}.get(tag, "~~")
            # Emphasis must hug its text; move outer spaces out of the markers.
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()) :]
            return f"{lead}{mark}{inner.strip()}{mark}{trail}"
        if tag == "code":
            code = _text_content(node)
            ticks = "`"
            while ticks in code:
                ticks += "`"
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            return f"{ticks}{pad}{code}{pad}{ticks}"
        if tag == "a":
            href = node.attrs.get("href", "")
            text = "".join(self._inline(c) for c in node.children)
            return f"[{text}]({_destination(href)})"
        if tag == "img":
            src = node.attrs.get("src", "")
            alt = _escape(node.attrs.get("alt", ""))
            return f"![{alt}]({_destination(src)})"
        if tag == "span":
            if node.attrs.get("class"):
                raise Unsupported("span with a class")
            return "".join(self._inline(c) for c in node.children)
        raise Unsupported(f"<{tag}>")


def _destination(url: str) -> str:
    if re.search(r"[\s()<>]", url):
        if "<" in url or ">" in url or "\n" in url:
            raise Unsupported("unusual URL")
        return f"<{url}>"
    return url


def _text_content(node: _Node) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_text_content(child))
    return "".join(parts)
