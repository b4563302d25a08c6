"""The search query language: parse what a user typed into a small AST every backend compiles.

Syntax (all words must match; case does not matter)::

    signals post_save          words
    "class based view"         a phrase
    -celery  -"task queue"     exclusion of a word or a phrase
    migrat*                    prefix
    deck:django  tag:orm       filters on a deck slug and a tag name
    select_related __init__ asgi.py @classmethod   code-shaped tokens, matched whole

Anything else (FTS operators, parentheses, ``column:`` prefixes, stray quotes,
control characters) is treated as plain text, never as syntax, so a hostile
query can only ever produce a harmless search or a ``QueryError``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from recall.core.exceptions import ApplicationError
from recall.core.text import STOP_WORDS

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32

# A run of word characters, optionally joined by dots and led by "@":
# asgi.py, django.db.models, @classmethod, select_related, __init__.
TOKEN_RE = re.compile(r"@?\w++(?:\.\w++)*+")  # possessive: a token is split in one way only
# Words that are operators in FTS5, tsquery or Lucene syntax: dropped, since all words are ANDed.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})
FILTER_KEYS = ("deck", "tag")
# Characters that are never part of a query: controls, NUL, and the highlight sentinels.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")


class QueryError(ApplicationError):
    """The query cannot be searched for; the message says why."""

    code = "invalid_query"
    status_code = 400


@dataclass(frozen=True)
class Term:
    """One word or code token. ``code`` marks tokens matched whole (select_related, asgi.py)."""

    text: str
    prefix: bool = False
    negated: bool = False
    code: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    negated: bool = False


@dataclass
class ParsedQuery:
    terms: list[Term] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    decks: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # True: a card matches with any one positive word or phrase (hybrid search's lexical
    # leg, ``any_word_query``); exclusions still exclude. False: all must match.
    match_any: bool = False

    @property
    def positive_terms(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative_terms(self) -> list[Term]:
        return [t for t in self.terms if t.negated]

    @property
    def positive_phrases(self) -> list[Phrase]:
        return [p for p in self.phrases if not p.negated]

    @property
    def negative_phrases(self) -> list[Phrase]:
        return [p for p in self.phrases if p.negated]

    @property
    def has_positive(self) -> bool:
        return bool(self.positive_terms or self.positive_phrases)

    @property
    def filters_only(self) -> bool:
        """No words at all: the query only narrows by deck or tag, and lists those cards."""
        return not (self.terms or self.phrases)

    def highlight_words(self) -> list[str]:
        """Positive words and phrase words, for highlighting in backends that need them."""
        words = [t.text for t in self.positive_terms]
        for phrase in self.positive_phrases:
            words.extend(phrase.words)
        return words

    def to_text(self) -> str:
        """A canonical query string (used to show a corrected query back to the user)."""
        parts: list[str] = []
        for t in self.terms:
            parts.append(f"{'-' if t.negated else ''}{t.text}{'*' if t.prefix else ''}")
        for p in self.phrases:
            parts.append(f'{"-" if p.negated else ""}"{" ".join(p.words)}"')
        parts += [f"deck:{d}" for d in self.decks] + [f"tag:{t}" for t in self.tags]
        return " ".join(parts)


def is_code_token(token: str) -> bool:
    """Code-shaped tokens are matched whole: they hold "_", an inner ".", or start with "@"."""
    return "_" in token or "." in token or token.startswith("@")


def _has_word_char(token: str) -> bool:
    # Full-text tokenizers keep letters and digits only; a token of marks alone indexes nothing.
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def code_tokens(text: str) -> list[str]:
    """Distinct lower-cased code-shaped tokens of a text, in order of appearance."""
    seen: dict[str, None] = {}
    # findall and a test on the raw token first: indexing runs this over every card, and
    # most tokens are plain words (lower-casing never makes or removes "_", "." or "@").
    for raw in TOKEN_RE.findall(text):
        if "_" in raw or "." in raw or raw[0] == "@":
            token = raw.lower()
            if token not in seen and _has_word_char(token) and len(token) <= 100:
                seen[token] = None
    return list(seen)


def identifier_parts(text: str) -> str:
    """The words inside snake_case identifiers, so "related" also finds select_related."""
    if "_" not in text:
        return ""  # no identifier to split (most cards, and a cheap test)
    parts: list[str] = []
    for token in code_tokens(text):
        if "_" in token:
            parts.extend(p for p in re.split(r"[^\w]|_", token) if p)
    return " ".join(parts)


def _words_of(chunk: str) -> list[str]:
    return [m.group(0) for m in TOKEN_RE.finditer(chunk) if _has_word_char(m.group(0))]


def _add_token(parsed: ParsedQuery, token: str, *, negated: bool, prefix: bool) -> None:
    if token in OPERATOR_WORDS:
        return
    lowered = token.lower()
    if is_code_token(lowered):
        parsed.terms.append(Term(lowered, prefix=prefix, negated=negated, code=True))
    else:
        parsed.terms.append(Term(lowered, prefix=prefix, negated=negated))


def _parse_chunk(parsed: ParsedQuery, chunk: str) -> None:
    negated = False
    while chunk.startswith(("-", "+")):
        negated = negated or chunk.startswith("-")
        chunk = chunk[1:]
    key, sep, value = chunk.partition(":")
    if sep and key.lower() in FILTER_KEYS and value:
        cleaned = re.sub(r"[^\w.\-]", "", value)[:100]
        if cleaned and not negated:
            (parsed.decks if key.lower() == "deck" else parsed.tags).append(cleaned)
            return
    tokens = _words_of(chunk)
    if not tokens:
        return
    # A trailing "*" makes the last token a prefix; a "*" anywhere else is ignored.
    prefix = chunk.rstrip(")]}").endswith("*")
    for i, token in enumerate(tokens):
        _add_token(parsed, token, negated=negated, prefix=prefix and i == len(tokens) - 1)


def parse_query(raw: str, *, filtered: bool = False) -> ParsedQuery:
    """Parse a user's query. Raises QueryError for a query that cannot be searched for.

    A query of filters alone (``tag:sql``, or nothing with ``filtered``: a deck or tag given
    beside the query) is valid: it lists the filtered cards (``ParsedQuery.filters_only``).
    """
    if raw is None:
        raise QueryError("Type something to search for.")
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(f"query too long (at most {MAX_QUERY_LENGTH} characters)")
    text = _CONTROL_RE.sub(" ", raw)
    parsed = ParsedQuery()
    # Split into quoted phrases and bare chunks; an unbalanced quote runs to the end.
    for match in re.finditer(r'(-?)"([^"]*)("?)|([^\s"]+)', text):
        if match.group(4) is not None:
            _parse_chunk(parsed, match.group(4))
            continue
        words = tuple(w.lower() for w in _words_of(match.group(2)) if w not in OPERATOR_WORDS)
        negated = match.group(1) == "-"
        if len(words) == 1:
            _add_token(parsed, words[0], negated=negated, prefix=False)
        elif words:
            parsed.phrases.append(Phrase(words[:16], negated=negated))
    if len(parsed.terms) + len(parsed.phrases) > MAX_TERMS:
        raise QueryError(f"too many search terms (at most {MAX_TERMS})")
    if not parsed.has_positive:
        if parsed.terms or parsed.phrases:
            raise QueryError("Add at least one word to search for, not only exclusions.")
        if not (filtered or parsed.decks or parsed.tags):
            raise QueryError("Type at least one word to search for.")
    return parsed


def any_word_query(parsed: ParsedQuery) -> ParsedQuery:
    """The query matching any of its words, without stop words (kept when nothing else is).

    Hybrid search ranks by meaning; its lexical leg only has to say which cards share the
    query's content words, best (bm25 and the like) first. All words ANDed, a question in
    plain language ("why are threads useless for CPU work") finds nothing.
    """
    content = [t for t in parsed.positive_terms if t.code or t.prefix or t.text not in STOP_WORDS]
    if not content and not parsed.positive_phrases:
        content = parsed.positive_terms
    return replace(
        parsed, terms=content + parsed.negative_terms, phrases=list(parsed.phrases), match_any=True
    )
