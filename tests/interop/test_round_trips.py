"""Export -> import -> export keeps notes, kinds and cards, for Markdown, CSV and .apkg.

Hypothesis writes decks holding notes of every kind: code spans and blocks, unicode, cloze
hints, several deletions of one number, reversed notes with and without an answer. The
official anki package then checks that Anki makes exactly the cards Recall schedules.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.decks import services
from recall.decks.exporters import EXPORTERS
from recall.decks.models import Deck
from recall.decks.prompts import cloze_numbers
from tests.factories import UserFactory

from .anki_support import anki_collection, import_package

_users = itertools.count()

WORDS = st.sampled_from(
    [
        "select_related",
        "`F('n') + 1`",
        "`__init__`",
        "naïve",
        "日本語",
        "straße",
        "émigré",
        "**bold**",
        "*soft*",
        "x < y",
        "a & b",
        "asgi.py",
        "œuvre",
        "42",
        "—",
        "queryset",
        "[]",
    ]
)
CODE_BLOCK = st.sampled_from(
    [
        "```python\nfor item in items:\n    print(item)\n```",
        "```\n{{c1::not a deletion}} and ==nor this==\n```",
        "```sql\nSELECT 1;\n```",
    ]
)


def _line(words: list[str]) -> str:
    return " ".join(words)


LINE = st.lists(WORDS, min_size=1, max_size=6).map(_line)
QUESTION = st.lists(WORDS, min_size=1, max_size=6).map(lambda w: _line(w) + "?")
ANSWER = st.lists(st.one_of(LINE, CODE_BLOCK), min_size=1, max_size=3).map("\n\n".join)
TAGS = st.lists(st.sampled_from(["django", "orm", "python", "sql", "日本"]), unique=True)


@st.composite
def cloze_text(draw: Any) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        number = draw(st.integers(1, 3))
        inner = draw(st.sampled_from(["301", "`len(x)`", "naïve", "**bold** words", "日本"]))
        hint = draw(st.one_of(st.none(), st.sampled_from(["code", "a number", "ヒント"])))
        marker = f"{{{{c{number}::{inner}::{hint}}}}}" if hint else f"{{{{c{number}::{inner}}}}}"
        parts.append(f"{draw(LINE)} {marker}")
    text = " ".join(parts) + "."
    if draw(st.booleans()):
        text += "\n\n" + draw(CODE_BLOCK)
    return text


@st.composite
def note_data(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["basic", "reversed", "cloze"]))
    if kind == "cloze":
        extra = draw(st.one_of(st.just(""), LINE))
        return {"kind": kind, "question": draw(cloze_text()), "answer": extra}
    answer = draw(st.one_of(st.just(""), ANSWER)) if kind == "reversed" else draw(ANSWER)
    return {"kind": kind, "question": draw(QUESTION), "answer": answer}


NOTES = st.lists(st.tuples(note_data(), TAGS), min_size=1, max_size=6).filter(
    # Identity is the question: a deck of distinct questions, as a person writes them.
    lambda notes: len({n["question"] for n, _ in notes}) == len(notes)
)


def _deck_of(notes: list[tuple[dict[str, Any], list[str]]]) -> Deck:
    owner = UserFactory(username=f"writer{next(_users)}")
    deck = services.deck_create(owner=owner, title="Round trip")
    for data, tags in notes:
        services.note_create(deck=deck, tags=tags, **data)
    return deck


def _content(deck: Deck) -> list[tuple[Any, ...]]:
    """Each live note as (kind, question, answer, tags, ordinals of its live cards)."""
    return [
        (
            n.kind,
            n.question,
            n.answer,
            sorted(t.name for t in n.tags.all()),
            sorted(c.ordinal for c in n.cards.all() if not c.is_archived),
        )
        for n in deck.notes.filter(is_archived=False)
        .prefetch_related("tags", "cards")
        .order_by("position")
    ]


def _round(deck: Deck, fmt: str) -> Deck:
    exporter = EXPORTERS[fmt]
    data = exporter.export(deck)
    if isinstance(data, str):
        data = data.encode()
    owner = UserFactory(username=f"reader{next(_users)}")
    summary = services.notes_import(owner=owner, filename=f"round{exporter.extension}", data=data)
    return Deck.objects.get(pk=summary.deck_ids[0])


PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["md", "csv", "tsv"])
@PROPERTY
@given(notes=NOTES)
def test_text_formats_give_back_the_same_notes_kinds_and_cards(fmt, notes):
    deck = _deck_of(notes)
    again = _round(deck, fmt)
    assert _content(again) == _content(deck)
    # And the second export is the first one.
    exported = EXPORTERS[fmt].export(deck)
    if fmt == "md":
        assert EXPORTERS[fmt].export(again) == exported
    else:
        assert EXPORTERS[fmt].export(again) == exported


@pytest.mark.django_db
@PROPERTY
@given(notes=NOTES)
def test_apkg_export_import_export_is_stable(notes):
    deck = _deck_of(notes)
    first = _round(deck, "apkg")
    second = _round(first, "apkg")
    # The same kinds and cards as the original; the text went through HTML once, and from
    # there on every round gives back the same notes.
    assert [(k, o) for k, _q, _a, _t, o in _content(first)] == [
        (k, o) for k, _q, _a, _t, o in _content(deck)
    ]
    assert [t for *_x, t, _o in _content(first)] == [t for *_x, t, _o in _content(deck)]
    assert _content(second) == _content(first)


@pytest.mark.anki
@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(notes=NOTES)
def test_anki_makes_exactly_the_cards_recall_schedules(tmp_path_factory, notes):
    deck = _deck_of(notes)
    package = Path(tmp_path_factory.mktemp("apkg")) / "deck.apkg"
    data = EXPORTERS["apkg"].export(deck)
    assert isinstance(data, bytes)
    package.write_bytes(data)
    expected = sorted(
        (n.kind, sorted(c.ordinal for c in n.cards.all()))
        for n in deck.notes.prefetch_related("cards")
    )
    with anki_collection(Path(tmp_path_factory.mktemp("anki"))) as col:
        import_package(col, package)
        seen = []
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            cloze = note.note_type()["type"] == 1
            kind = (
                "cloze"
                if cloze
                else "reversed"
                if "reversed" in note.note_type()["name"]
                else "basic"
            )
            # Anki numbers card templates from 0, and a cloze card's ord is its number - 1.
            seen.append((kind, sorted(card.ord + 1 for card in note.cards())))
    assert sorted(seen) == expected
    assert sum(len(o) for _k, o in expected) == col_cards(expected)


def col_cards(expected: list[tuple[str, list[int]]]) -> int:
    return sum(len(ordinals) for _kind, ordinals in expected)


def test_the_generated_cloze_notes_have_deletions():
    # A guard on the strategy itself: every cloze text has at least one deletion number.
    @given(cloze_text())
    @settings(max_examples=30, deadline=None)
    def check(text: str) -> None:
        assert cloze_numbers(text)

    check()
