"""Writes of single notes and cards (web, API), notes' identity across re-imports, links."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from recall.core.exceptions import ApplicationError

from .. import tags as tag_rules
from ..cards import cards_sync
from ..limits import check_card_text
from ..models import Card, CardKind, Deck, Link, Note
from ..prompts import identity_text
from ..rendering import render_many
from ..signals import notes_changed
from ._common import _BATCH, _chunks, _insert_pairs
from .tags import _tags_for

_URL_RE = re.compile(r"https?://[^\s<>\"'`()\[\]{}|\\^]+", re.IGNORECASE)


_URL_TRAILING = ".,;:!?*_~"


_LEADING_NUMBER_RE = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+\s*[.):-]\s*", re.IGNORECASE)


_WS_RE = re.compile(r"\s+")


def normalise_question(question: str) -> str:
    """The question as identity: case, spacing and a leading "12." number do not matter."""
    text = unicodedata.normalize("NFKC", question)
    text = _LEADING_NUMBER_RE.sub("", text, count=1)
    return _WS_RE.sub(" ", text).strip().casefold()


def note_source_keys(questions: Iterable[str]) -> list[str]:
    """One key per question; a repeated question gets its occurrence number in the key."""
    seen: dict[str, int] = {}
    keys = []
    for question in questions:
        norm = normalise_question(question)
        count = seen.get(norm, 0)
        seen[norm] = count + 1
        material = norm if count == 0 else f"{norm}\x00{count}"
        keys.append(hashlib.sha256(material.encode()).hexdigest())
    return keys


def note_content_hash(
    *, question: str, answer: str, tags: Sequence[str], kind: str, position: int
) -> str:
    payload = json.dumps([question, answer, sorted(set(tags)), kind, position])
    return hashlib.sha256(payload.encode()).hexdigest()


def urls_in(text: str) -> list[str]:
    """Every http(s) URL in a Markdown text, without the punctuation that ends a sentence."""
    found = []
    for match in _URL_RE.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if len(url) > len("https://") and len(url) <= 2000:
            found.append(url)
    return found


def note_update(
    *,
    note: Note,
    question: str | None = None,
    answer: str | None = None,
    tags: Sequence[str] | None = None,
) -> Note:
    """Edit a note's text or tags; its study state (in other tables) is never touched.

    source_key and content_hash keep describing the last imported version, so re-importing an
    unchanged file keeps this edit, while a file whose note changed wins.
    """
    _check_card_texts(question, answer)
    with transaction.atomic():
        fields = []
        if question is not None and question != note.question:
            if not question.strip():
                raise ApplicationError("a note needs a question")
            note.question = question
            fields.append("question")
        if answer is not None and answer != note.answer:
            note.answer = answer
            fields.append("answer")
        if fields:
            # Note.save renders the Markdown: once per edit, not here as well.
            note.save(update_fields=[*fields, "question_html", "answer_html", "updated_at"])
            cards_sync([note])
        if tags is not None:
            names = tag_rules.tag_names_clean(tags)
            tag_objs = _tags_for(note.deck.owner, names)
            note.tags.set([tag_objs[n] for n in names])
        note_id, deck_id = note.pk, note.deck_id
        notes_changed(deck_id=deck_id, note_ids=[note_id])
    return note


RERENDER_BATCH = 1000


def notes_rerender(
    *, deck: Deck | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Render every note's stored HTML again (one deck's, or all); returns notes changed.

    The Markdown is the source and the HTML a copy made on save: after the renderer
    changes (bare URLs became links, a new highlighter), this brings old notes up to date.
    Notes are read in id order by batches, rendered like an import (``render_many``), and
    only those whose HTML differs are written, with ``bulk_update``: no signals, since
    neither the search index nor the schedule depend on the HTML.
    """
    notes = Note.objects.all() if deck is None else Note.objects.filter(deck=deck)
    total = notes.count()
    done = changed = 0
    last = 0
    while True:
        batch = list(
            notes.filter(pk__gt=last)
            .order_by("pk")
            .only(
                "pk",
                "deck_id",
                "position",
                "kind",
                "question",
                "answer",
                "question_html",
                "answer_html",
                "is_archived",
            )[:RERENDER_BATCH]
        )
        if not batch:
            return changed
        html = iter(render_many([text for c in batch for text in (c.question, c.answer)]))
        stale = []
        for note in batch:
            question_html, answer_html = next(html), next(html)
            if (question_html, answer_html) != (note.question_html, note.answer_html):
                note.question_html, note.answer_html = question_html, answer_html
                stale.append(note)
        with transaction.atomic():
            Note.objects.bulk_update(stale, ["question_html", "answer_html"])
            # Cards copy their note's HTML, and cloze sides render from the same Markdown.
            cards_sync(batch)
        changed += len(stale)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(done, total)


def _sync_links(deck: Deck, note_texts: dict[int, str], reference_urls: Sequence[str]) -> None:
    """Make the deck's Link rows and their note links match the URLs found now.

    Existing rows keep their check status; URLs no longer present anywhere are dropped.
    """
    wanted_pairs: set[tuple[str, int]] = set()
    wanted_urls: set[str] = set()
    for note_id, text in note_texts.items():
        for url in urls_in(text):
            wanted_pairs.add((url, note_id))
            wanted_urls.add(url)
    for url in reference_urls:
        wanted_urls.update(urls_in(url) or [])
    links = dict(Link.objects.filter(deck=deck).values_list("url", "id"))
    stale = [link_id for url, link_id in links.items() if url not in wanted_urls]
    if stale:
        Link.objects.filter(id__in=stale).delete()
    missing = sorted(wanted_urls - set(links))
    if missing:
        Link.objects.bulk_create([Link(deck=deck, url=u) for u in missing], batch_size=_BATCH)
        links = dict(Link.objects.filter(deck=deck).values_list("url", "id"))
    through = Link.notes.through
    wanted = {(links[url], note_id) for url, note_id in wanted_pairs}
    current = {
        (link_id, note_id): row_id
        for row_id, link_id, note_id in through.objects.filter(link__deck=deck).values_list(
            "id", "link_id", "note_id"
        )
    }
    extra = [row_id for pair, row_id in current.items() if pair not in wanted]
    for chunk in _chunks(extra, _BATCH):
        through.objects.filter(id__in=chunk).delete()
    _insert_pairs(through, ("link", "note"), sorted(wanted - set(current)))


def note_create(
    *,
    deck: Deck,
    question: str,
    answer: str = "",
    kind: str = CardKind.BASIC,
    tags: Sequence[str] = (),
    position: int | None = None,
    is_archived: bool = False,
) -> Note:
    """Add a note by hand; it goes last in the deck unless a position is given."""
    if not question.strip():
        raise ApplicationError("a note needs a question")
    _check_card_texts(question, answer)
    with transaction.atomic():
        if position is None:
            last = deck.notes.order_by("-position").values_list("position", flat=True).first()
            position = 0 if last is None else last + 1
        note = Note(
            deck=deck,
            question=question,
            answer=answer,
            kind=kind,
            position=position,
            is_archived=is_archived,
            source_key=note_source_keys([identity_text(kind, question)])[0],
        )
        note.save()
        cards_sync([note])
        names = tag_rules.tag_names_clean(tags)
        if names:
            tag_objs = _tags_for(deck.owner, names)
            note.tags.set([tag_objs[n] for n in names])
        note_id, deck_id = note.pk, deck.pk
        notes_changed(deck_id=deck_id, note_ids=[note_id], added_only=True)
    return note


def _check_card_texts(question: str | None, answer: str | None) -> None:
    for name, text in (("question", question), ("answer", answer)):
        if text is not None:
            check_card_text(text, field=name)


def note_set_fields(
    *,
    note: Note,
    kind: str | None = None,
    position: int | None = None,
    is_archived: bool | None = None,
) -> Note:
    """Change a note's kind, place in the deck or archived flag (text goes via note_update)."""
    fields = []
    for name, value in (("kind", kind), ("position", position), ("is_archived", is_archived)):
        if value is not None and getattr(note, name) != value:
            setattr(note, name, value)
            fields.append(name)
    if fields:
        with transaction.atomic():
            note.save(update_fields=[*fields, "updated_at"])
            cards_sync([note])
        note_id, deck_id = note.pk, note.deck_id
        archived = [note_id] if note.is_archived else []
        notes_changed(
            deck_id=deck_id, note_ids=[] if archived else [note_id], archived_ids=archived
        )
    return note


def card_set_flags(
    *, card: Card, suspended: bool | None = None, flagged: bool | None = None
) -> Card:
    """Suspend a card (kept out of study until unsuspended) or flag it; nothing else changes."""
    fields = []
    for name, value in (("suspended", suspended), ("flagged", flagged)):
        if value is not None and getattr(card, name) != value:
            setattr(card, name, value)
            fields.append(name)
    if fields:
        card.save(update_fields=[*fields, "updated_at"])
    return card


def note_delete(*, note: Note) -> None:
    """Delete one note; its review log keeps the grades (the note becomes null there)."""
    note_id, deck_id = note.pk, note.deck_id
    with transaction.atomic():
        note.delete()
        notes_changed(deck_id=deck_id, archived_ids=[note_id])
