"""The Anki side of the peer benchmark: a collection set up like Recall, cards added, daily
limits, next card + answer and CSV import, through the official anki package."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def anki_open(directory: Path) -> Any:
    from anki.collection import Collection

    directory.mkdir(parents=True, exist_ok=True)
    col = Collection(str(directory / "collection.anki2"))
    col.set_config("fsrs", True)
    # Anki syncs the disk at every commit (WAL, synchronous=FULL); Recall's SQLite runs WAL
    # with synchronous=NORMAL (config/settings/base.py). Same durability on both sides, so
    # that the figures compare the work and not the disk (whose syncs swing with other load).
    assert col.db is not None
    col.db.execute("PRAGMA synchronous = NORMAL")
    # Recall's new cards have their own daily limit, never cut by the review limit.
    col.set_config("newCardsIgnoreReviewLimit", True)
    return col


def anki_add(col: Any, rows: list[tuple[str, str, str]]) -> list[int]:
    """Add (question, answer, deck name) rows as Basic notes; their card ids, in order."""
    from anki.collection import AddNoteRequest
    from anki.decks import DeckId

    basic = col.models.by_name("Basic")
    decks: dict[str, DeckId] = {}
    requests = []
    for question, answer, deck in rows:
        if deck not in decks:
            decks[deck] = DeckId(col.decks.id(deck))
        note = col.new_note(basic)
        note.fields[0] = question
        note.fields[1] = answer
        requests.append(AddNoteRequest(note=note, deck_id=decks[deck]))
    for start in range(0, len(requests), 20_000):
        col.add_notes(requests[start : start + 20_000])
    note_ids = [request.note.id for request in requests]
    by_note = dict(col.db.all("SELECT nid, id FROM cards"))
    return [int(by_note[nid]) for nid in note_ids]


def anki_limits(col: Any, *, new: int, reviews: int) -> None:
    conf = col.decks.get_config(1)
    conf["new"]["perDay"] = new
    conf["rev"]["perDay"] = reviews
    conf["newMix"] = 2  # reviews before new cards, as Recall shows them
    col.decks.update_config(conf)


def anki_next_and_answer(col: Any, rating: int) -> None:
    from anki.cards import Card
    from anki.scheduler_pb2 import CardAnswer

    queued = col.sched.get_queued_cards(fetch_limit=1)
    top = queued.cards[0]
    card = Card(col, backend_card=top.card)
    card.start_timer()
    answer = col.sched.build_answer(
        card=card, states=top.states, rating=CardAnswer.Rating.ValueType(rating - 1)
    )
    col.sched.answer_card(answer)


def anki_queue_kind(col: Any) -> int:
    """Anki's queue of its next card (0 new, 2 review)."""
    return int(col.sched.get_queued_cards(fetch_limit=1).cards[0].card.queue)


def anki_import_csv(col: Any, path: Path, deck: str) -> int:
    from anki.collection import ImportCsvRequest
    from anki.import_export_pb2 import CsvMetadata

    metadata = col.get_csv_metadata(str(path), CsvMetadata.Delimiter.COMMA)
    metadata.deck_id = int(col.decks.id(deck))
    metadata.tags_column = 3
    out = col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
    return len(out.log.new)
