"""code_tokens takes shortcuts for speed; it must still return what the plain definition does."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from recall.search.query import (
    TOKEN_RE,
    _has_word_char,
    code_tokens,
    identifier_parts,
    is_code_token,
)


def _reference(text: str) -> list[str]:
    # The definition: every token lower-cased, then kept if code-shaped, wordy and short.
    seen: dict[str, None] = {}
    for match in TOKEN_RE.finditer(text):
        token = match.group(0).lower()
        if is_code_token(token) and _has_word_char(token) and len(token) <= 100:
            seen.setdefault(token, None)
    return list(seen)


@example("Use select_related, QuerySet.filter() and @login_required; SELECT_RELATED again")
@example("İ_x ΣΑΣ.ς ß_a ﬁ.x __ @@x a" + "_" * 120)
@given(st.text(alphabet=st.sampled_from("aZ_.@ İΣςß1\n-ﬁé٣"), max_size=60))
@settings(max_examples=1500, deadline=None)
def test_code_tokens_match_the_definition(text: str) -> None:
    assert code_tokens(text) == _reference(text)


@given(st.text(max_size=60))
@settings(max_examples=1000, deadline=None)
def test_code_tokens_match_the_definition_on_any_text(text: str) -> None:
    assert code_tokens(text) == _reference(text)


def _reference_parts(text: str) -> str:
    parts: list[str] = []
    for token in _reference(text):
        if "_" in token:
            parts.extend(p for p in re.split(r"[^\w]|_", token) if p)
    return " ".join(parts)


@example("no identifiers here. Just words.")
@example("select_related and prefetch_related, a.b_c, @x_y")
@given(st.text(alphabet=st.sampled_from("aZ_.@ İ1\n-é"), max_size=60))
@settings(max_examples=1000, deadline=None)
def test_identifier_parts_match_the_definition(text: str) -> None:
    assert identifier_parts(text) == _reference_parts(text)
