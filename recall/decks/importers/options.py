"""Which reading settings apply to a file: the defaults, its front matter, then the user's.

A file may carry its own settings under a ``recall`` key of its front matter, either as a
one-line mapping (``recall: {separator: ":=", cloze: bold}``) or as an indented block::

    recall:
      separator: ":="
      multiline_separator: "??"

Precedence: the options a user passes (import page, API, command flags; only those that
differ from the defaults count as passed) override the front matter, which overrides the
defaults. Names are ``ImportOptions``' own, plus the short forms of Obsidian Spaced
Repetition's settings: ``separator`` (inline), ``reversed_separator``,
``multiline_separator``, ``multiline_reversed_separator``, ``cloze`` (``highlight``,
``bold``, ``curly`` or a list of them) and ``headings_as_cards``.
"""

from __future__ import annotations

import re
from typing import Any

from .base import ImportFormatError, ImportOptions

_ALIASES = {
    "separator": "inline_separator",
    "inline": "inline_separator",
    "reversed_separator": "inline_reversed_separator",
    "multiline": "multiline_separator",
    "multiline_reversed": "multiline_reversed_separator",
    "headings": "headings_as_cards",
}
_CLOZE_STYLES = {"highlight": "cloze_highlight", "bold": "cloze_bold", "curly": "cloze_curly"}
_PAIR = re.compile(r"[ \t]*([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)")


def front_matter_settings(lines: list[str], body_start: int) -> dict[str, Any]:
    """The raw ``recall:`` settings of a front matter block (empty when there are none)."""
    if body_start == 0:
        return {}
    block = lines[1 : body_start - 1]
    for at, raw in enumerate(block):
        m = re.match(r"recall[ \t]*:[ \t]*(.*)", raw, re.IGNORECASE)
        if m is None:
            continue
        value = m.group(1).strip()
        if value.startswith("{") and value.endswith("}"):
            return _pairs(_split_flow(value[1:-1]))
        nested = []
        for line in block[at + 1 :]:
            if line.strip() and not line.startswith((" ", "\t")):
                break
            nested.append(line)
        return _pairs(line for line in nested if line.strip())
    return {}


def _split_flow(text: str) -> list[str]:
    """``a: 1, b: [x, y]`` -> ``["a: 1", "b: [x, y]"]`` (commas inside brackets or quotes kept)."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _pairs(items: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        m = _PAIR.match(item)
        if m:
            found[m.group(1).lower()] = _scalar(m.group(2).strip())
    return found


def _scalar(value: str) -> Any:
    if value.startswith("[") and value.endswith("]"):
        return [_scalar(v.strip()) for v in value[1:-1].split(",") if v.strip()]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    lowered = value.lower()
    if lowered in {"true", "yes", "on"}:
        return True
    if lowered in {"false", "no", "off"}:
        return False
    if lowered in {"null", "~", "auto", ""}:
        return None
    return value


def options_from_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Front matter settings as ``ImportOptions`` field values (ValueError when wrong)."""
    values: dict[str, Any] = {}
    for key, value in settings.items():
        if key == "cloze":
            styles = value if isinstance(value, list) else [value]
            unknown = [s for s in styles if s not in _CLOZE_STYLES]
            if unknown:
                raise ValueError(
                    f"cloze must be one or more of highlight, bold, curly, not {unknown[0]!r}"
                )
            for style, name in _CLOZE_STYLES.items():
                values[name] = style in styles
            continue
        values[_ALIASES.get(key, key)] = value
    ImportOptions.from_dict(values)  # validates, with a message naming the setting
    return values


def effective_options(
    filename: str, lines: list[str], body_start: int, passed: ImportOptions | None
) -> ImportOptions:
    """Defaults, overridden by the file's front matter, overridden by the options passed."""
    settings = front_matter_settings(lines, body_start)
    explicit = passed.to_dict() if passed is not None else {}
    if not settings:
        return passed or ImportOptions()
    try:
        from_file = options_from_settings(settings)
    except ValueError as exc:
        raise ImportFormatError(f"front matter 'recall': {exc}", source=filename) from None
    return ImportOptions.from_dict({**from_file, **explicit})
