"""The Markdown export round-trips: importing an exported deck gives the same cards back."""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recall.decks.exporters.markdown import export_markdown
from recall.decks.importers import parse_document
from recall.decks.importers.markdown_blocks import is_tag_line, scan
from recall.decks.models import Deck, Note, Reference
from recall.decks.services import deck_export_markdown, notes_import
from recall.decks.services.tags import _tags_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éß"
PUNCTUATION = " *_`[]()#!?.:;,-+=<>|\"'~{}/\\&%$@^"

words = st.text(alphabet=WORD_CHARS, min_size=1, max_size=8)
inline = st.text(alphabet=WORD_CHARS + PUNCTUATION, min_size=1, max_size=40)


def _line(text: str) -> str:
    return text.rstrip()


question = (
    st.one_of(
        inline,
        st.builds(lambda n, t: f"{n}. {t}", st.integers(0, 99), inline),  # looks numbered
        st.builds(lambda t: f"{t} #", inline),  # ends with a hash
        st.builds(lambda t: f"Q: {t}?", inline),
    )
    .map(str.strip)
    .filter(bool)
)

paragraph = st.lists(inline.map(_line), min_size=1, max_size=3).map("\n".join)
deep_heading = st.builds(lambda n, t: "#" * n + " " + t, st.integers(3, 6), words)
bullet_list = st.lists(inline, min_size=1, max_size=3).map(
    lambda items: "\n".join(f"- {i}" for i in items)
)
quote = inline.map(lambda t: f"> {t}")
code_line = st.one_of(
    inline,
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 6), words),  # '#' lines in code
    st.just("---"),
    st.just(""),
)
fence = st.builds(
    lambda marker, lang, body: f"{marker}{lang}\n" + "\n".join(body) + f"\n{marker}",
    st.sampled_from(["```", "~~~", "````"]),
    st.sampled_from(["", "python", "bash", "sql"]),
    st.lists(code_line, min_size=1, max_size=5),
)
markers = st.sampled_from(
    ["---", "**Q:** what?", "Term::Definition", "<details>", "{{c1::cloze}}", "#1 ranked"]
)
block = st.one_of(paragraph, deep_heading, bullet_list, quote, fence, markers)
answer = (
    st.lists(block, min_size=1, max_size=4)
    .map("\n\n".join)
    .map(str.rstrip)  # imports store answers trimmed; trailing blank lines are not kept
    .filter(lambda a: a.strip() and not a.startswith(" ") and a.split("\n")[0].strip())
)
tags = st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), max_size=3, unique=True)
card = st.tuples(question, answer, tags)
deck_cards = st.lists(card, min_size=1, max_size=6)


def build_deck(owner, cards) -> Deck:
    deck = Deck.objects.create(owner=owner, title="Generated: *deck* #1", slug="generated")
    rows = Note.objects.bulk_create(
        [Note(deck=deck, position=i, question=q, answer=a) for i, (q, a, _) in enumerate(cards)]
    )
    tag_objs = _tags_for(owner, sorted({t for _, _, ts in cards for t in ts}))
    for row, (_, _, ts) in zip(rows, cards, strict=True):
        row.tags.set([tag_objs[t] for t in ts])
    Reference.objects.create(deck=deck, position=0, title="Docs", url="https://example.com/a")
    return deck


def expected(cards) -> list[tuple[str, str, list[str]]]:
    return [(q, a, sorted(ts)) for q, a, ts in cards]


@settings(
    max_examples=int(os.environ.get("ROUNDTRIP_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cards=deck_cards)
def test_exported_deck_parses_and_imports_back_to_the_same_cards(cards):
    # The documented limits of the format, which no imported card can have.
    for _, a, ts in cards:
        assume(ts or not is_tag_line(a.split("\n")[-1]))
        # An unclosed code fence is closed on export (documented): it cannot round-trip.
        assume(all(f.closed for f in scan(a, front_matter=False).fences))
        assume(len(set(q for q, _, _ in cards)) == len(cards))
    with transaction.atomic():
        owner = UserFactory(username="roundtrip")
        deck = build_deck(owner, cards)
        text = export_markdown(deck)

        parsed = parse_document("generated.md", text)
        got = [(c.question, c.answer, sorted(c.tags)) for c in parsed.cards]
        assert got == expected(cards), text
        assert parsed.title == deck.title
        assert [(r.title, r.url) for r in parsed.references] == [("Docs", "https://example.com/a")]

        summary = notes_import(owner=owner, filename="exported.md", data=text.encode())
        imported = Deck.objects.get(pk=summary.deck_ids[0])
        got_db = [
            (c.question, c.answer, sorted(t.name for t in c.tags.all()))
            for c in imported.notes.order_by("position").prefetch_related("tags")
        ]
        assert got_db == expected(cards)
        transaction.set_rollback(True)


def test_flagship_round_trips_through_export(flagship_path):
    owner = UserFactory(username="flag")
    first = notes_import(owner=owner, filename=flagship_path.name, data=flagship_path.read_bytes())
    deck = Deck.objects.get(pk=first.deck_ids[0])
    text = deck_export_markdown(deck=deck)

    again = notes_import(owner=owner, filename="exported.md", data=text.encode())
    copy = Deck.objects.get(pk=again.deck_ids[0])

    def cards_of(d: Deck):
        return [
            (c.question, c.answer, c.kind, sorted(t.name for t in c.tags.all()))
            for c in d.notes.order_by("position").prefetch_related("tags")
        ]

    assert copy.pk != deck.pk
    assert cards_of(copy) == cards_of(deck)
    assert list(copy.references.values_list("title", "url")) == list(
        deck.references.values_list("title", "url")
    )
    assert copy.title == deck.title


def test_exporting_an_imported_deck_and_reimporting_it_writes_nothing(flagship_path):
    owner = UserFactory(username="flag2")
    summary = notes_import(owner=owner, filename="notes.md", data=flagship_path.read_bytes())
    deck = Deck.objects.get(pk=summary.deck_ids[0])
    text = deck_export_markdown(deck=deck)

    # Same name: the exported file updates the deck it came from, and nothing differs.
    again = notes_import(owner=owner, filename="notes.md", data=text.encode())
    assert (again.created, again.updated, again.archived) == (0, 0, 0)


def test_export_escapes_questions_the_parser_would_misread():
    owner = UserFactory(username="esc")
    cards = [
        ("3. starts like a number", "Answer one.", []),
        ("ends with a hash #", "Answer two.", ["t"]),
        ("References", "- https://example.com/not-a-reference", []),
    ]
    deck = build_deck(owner, cards)
    text = export_markdown(deck)
    parsed = parse_document("x.md", text)
    assert [(c.question, c.answer) for c in parsed.cards] == [(q, a) for q, a, _ in cards]


def test_answer_with_level_two_heading_uses_question_level_one():
    owner = UserFactory(username="lvl")
    cards: list[tuple[str, str, list[str]]] = [
        ("Q one?", "Intro\n\n## A subheading\n\nBody", []),
        ("Q two?", "Two", []),
    ]
    text = export_markdown(build_deck(owner, cards))
    assert "question_level: 1" in text
    parsed = parse_document("x.md", text)
    assert [(c.question, c.answer) for c in parsed.cards] == [(q, a) for q, a, _ in cards]


def test_archived_cards_are_not_exported():
    owner = UserFactory(username="arch")
    deck = build_deck(owner, [("Kept?", "Yes", []), ("Gone?", "Archived", [])])
    deck.notes.filter(question="Gone?").update(is_archived=True)
    text = export_markdown(deck)
    assert "Kept?" in text and "Gone?" not in text


def test_unclosed_fence_is_closed_so_later_cards_survive():
    owner = UserFactory(username="fence")
    deck = build_deck(owner, [("A?", "```python\nx = 1", []), ("B?", "Bee", [])])
    parsed = parse_document("x.md", export_markdown(deck))
    assert [(c.question, c.answer) for c in parsed.cards] == [
        ("A?", "```python\nx = 1\n```"),
        ("B?", "Bee"),
    ]
