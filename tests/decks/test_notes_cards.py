"""Notes generate their cards: one per prompt, kept with their reviews across edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from recall.decks import services
from recall.decks.models import Card, Note
from recall.decks.prompts import cloze_back, cloze_front, cloze_numbers, note_prompts
from recall.study.models import CardState, ReviewLog
from recall.study.services import card_grade
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INLINE = """\
# Git

HEAD:::the commit you have checked out

What is a branch?::a movable pointer to a commit
"""
MULTILINE = """\
What does `git stash` do?
??
Shelves uncommitted changes.
"""
NOTES = """\
# Cloze notes

In Django, ==select_related== follows foreign keys with a join, while \
==prefetch_related== runs a separate query.

HTTP {{c1::301}} is a moved-for-good redirect and {{c2::302}} a temporary one; \
{{c1::browsers}} cache it.
"""


@pytest.fixture
def owner():
    return UserFactory(username="ada")


def _import(owner, text: str, name: str = "mixed.md"):
    return services.notes_import(owner=owner, filename=name, data=text.encode())


def _cards_by_note(deck_id: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for note in Note.objects.filter(deck_id=deck_id).prefetch_related("cards"):
        live = sorted(c.ordinal for c in note.cards.all() if not c.is_archived)
        out[note.kind + ":" + note.question[:12]] = live
    return out


def _ordinals(deck_id: int) -> list[tuple[str, list[int]]]:
    notes = Note.objects.filter(deck_id=deck_id).order_by("position")
    return [(n.kind, sorted(n.cards.values_list("ordinal", flat=True))) for n in notes]


def test_each_prompt_of_a_note_is_its_own_card(owner):
    inline = _import(owner, INLINE, "git.md").deck_ids[0]
    multiline = _import(owner, MULTILINE, "stash.md").deck_ids[0]
    cloze = _import(owner, NOTES).deck_ids[0]
    # ":::" and "??" make two cards; "::" one.
    assert _ordinals(inline) == [("reversed", [1, 2]), ("basic", [1])]
    assert _ordinals(multiline) == [("reversed", [1, 2])]
    # Each ==x== is its own number; c1 twice is one card.
    assert _ordinals(cloze) == [("cloze", [1, 2]), ("cloze", [1, 2])]
    assert Card.objects.count() == 3 + 2 + 4


def test_backward_card_asks_the_answer(owner):
    _import(owner, INLINE)
    note = Note.objects.get(question="HEAD")
    forward, backward = note.cards.order_by("ordinal")
    assert (forward.question, forward.answer) == ("HEAD", "the commit you have checked out")
    assert (backward.question, backward.answer) == ("the commit you have checked out", "HEAD")
    assert backward.question_html == note.answer_html


def test_cloze_front_hides_its_own_deletions_and_shows_the_others(owner):
    _import(owner, NOTES)
    note = Note.objects.get(question__startswith="HTTP")
    c1, c2 = note.cards.order_by("ordinal")
    assert "301" not in c1.question_html and "browsers" not in c1.question_html
    assert "302" in c1.question_html and "[…]" in c1.question_html
    assert '<mark class="cloze">301</mark>' in c1.answer_html
    assert '<mark class="cloze">browsers</mark>' in c1.answer_html
    assert "<mark" not in c1.question_html
    assert "302" not in c2.question_html and "301" in c2.question_html


def test_cloze_hint_code_and_markers_inside_code():
    text = "Use {{c1::`select_related`::ORM method}} here, not `{{c2::kept}}`."
    assert cloze_numbers(text) == [1]
    front = cloze_front(text, 1)
    assert front.startswith('Use <span class="cloze-blank">[ORM method]</span>')
    assert "`{{c2::kept}}`" in front
    assert cloze_back(text, 1).startswith('Use <mark class="cloze">`select_related`</mark>')
    [prompt] = note_prompts(kind="cloze", question=text, answer="")
    assert prompt.ordinal == 1


def test_cloze_code_inside_a_deletion_renders_as_code(owner):
    deck = services.deck_create(owner=owner, title="Code")
    note = services.note_create(
        deck=deck, kind="cloze", question="Call {{c1::`len(x)`}} for the size."
    )
    card = note.cards.get()
    assert "len(x)" not in card.question_html
    assert '<mark class="cloze"><code>len(x)</code></mark>' in card.answer_html


def test_reimport_unchanged_keeps_every_card_id(owner):
    deck_id = _import(owner, NOTES).deck_ids[0]
    before = sorted(Card.objects.filter(deck_id=deck_id).values_list("id", "updated_at"))
    summary = _import(owner, NOTES)
    assert summary.unchanged == 2 and summary.created == summary.updated == 0
    assert sorted(Card.objects.filter(deck_id=deck_id).values_list("id", "updated_at")) == before


def test_reimport_with_a_cloze_number_removed_keeps_the_other_card_and_its_history(owner):
    deck_id = _import(owner, NOTES).deck_ids[0]
    note = Note.objects.get(question__startswith="HTTP")
    c1, c2 = note.cards.order_by("ordinal")
    card_grade(user=owner, card_id=c1.pk, grade=3, duration_ms=1000)
    card_grade(
        user=owner, card_id=c2.pk, grade=3, duration_ms=1000, now=timezone.now() + timedelta(days=1)
    )
    changed = NOTES.replace("{{c2::302}}", "302")
    summary = _import(owner, changed)
    assert summary.updated == 1
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert not c1.is_archived and c2.is_archived
    assert "302" in c1.question_html  # no longer a deletion: plain text on the front
    assert ReviewLog.objects.filter(card=c1).count() == 1
    assert ReviewLog.objects.filter(card=c2).count() == 1
    assert CardState.objects.filter(card__in=[c1, c2]).count() == 2
    # Putting the deletion back brings the same card back, history and all.
    _import(owner, NOTES)
    c2.refresh_from_db()
    assert not c2.is_archived
    assert _cards_by_note(deck_id)["cloze:HTTP {{c1::3"] == [1, 2]


def test_editing_a_reversed_note_to_basic_archives_the_backward_card(owner):
    _import(owner, INLINE)
    note = Note.objects.get(question="HEAD")
    services.note_set_fields(note=note, kind="basic")
    assert list(note.cards.filter(is_archived=False).values_list("ordinal", flat=True)) == [1]
    services.note_set_fields(note=note, kind="reversed")
    assert sorted(note.cards.filter(is_archived=False).values_list("ordinal", flat=True)) == [1, 2]


def test_archived_note_archives_its_cards(owner):
    _import(owner, INLINE)
    _import(owner, INLINE.replace("HEAD:::the commit you have checked out", ""))
    stale = Note.objects.get(question="HEAD")
    assert stale.is_archived
    assert not stale.cards.filter(is_archived=False).exists()


def test_deck_copy_makes_the_same_cards(owner):
    deck = services.deck_create(owner=owner, title="Src", visibility="public")
    services.note_create(deck=deck, kind="reversed", question="chat", answer="cat")
    services.note_create(deck=deck, kind="cloze", question="{{c1::a}} {{c2::b}} {{c3::c}}")
    copy = services.deck_copy(deck=deck, owner=UserFactory(username="bo"))
    assert copy.cards.count() == deck.cards.count() == 5


@pytest.mark.timeout(20)
def test_code_and_deletion_scans_are_linear_on_pumped_input():
    # Unclosed backtick runs of every width and fence-like lines: a scan that looked for
    # each run's closer from every start would take hours at this size.
    runs = "".join("`" * (i % 7 + 1) + " x " for i in range(30_000))
    fences = "```\n" * 5_001 + "~~~~\n" * 5_000  # the last ``` stays open
    text = f"{{{{c1::a}}}} {runs}\n\n{fences}{{{{c2::b}}}}"
    assert cloze_numbers(text) == [1]  # c2 sits inside the unclosed fence: code
    assert cloze_front(text, 1).startswith('<span class="cloze-blank">[…]</span> `')
