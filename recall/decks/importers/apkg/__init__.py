"""Anki packages (.apkg) to parsed decks, read with zipfile, sqlite3 and zstandard only.

The official ``anki`` library is AGPL-3.0, so it is never imported here: the package is read
as what it is, a zip holding an SQLite collection and numbered media files.

Formats
    * ``collection.anki2`` / ``collection.anki21`` (Anki 2.0 and 2.1 "legacy" exports): SQLite
      with the note types and decks as JSON in the ``col`` table; the ``media`` member maps the
      numbered files to names as JSON.
    * ``collection.anki21b`` (Anki 2.1.50+ default): the same SQLite, zstd-compressed, with note
      types, fields, templates and decks in their own tables (protobuf blobs, decoded here for
      the few values needed); ``media`` is a zstd-compressed protobuf list and every media file
      is zstd-compressed too. A package holding several collections is read from the newest.

Notes
    Each Anki *note* becomes one Recall card. The note type decides its kind: a cloze type
    (``{{cloze:Field}}``) gives a ``cloze`` card; a type whose second template swaps the first
    one's front and back ("Basic (and reversed card)", and the optional-reverse variant when
    the note has its reverse card) gives a ``reversed`` card; anything else is ``basic``, built
    from the first template. The question is the fields the front template shows, the answer
    the further fields the back template shows. Fields are sanitised, then converted to
    Markdown when the Markdown renders the same (see ``html_to_markdown``); otherwise they are
    kept as sanitised HTML, which Markdown allows inline. Tags are the note's tags. Image
    occlusion notes have no text to study and are skipped with a warning. A NULL field is
    empty and a number is its decimal text (SQLite keeps any value in any column); a note
    whose fields or tags are a blob (binary data) is skipped with a warning.

Decks
    Each Anki deck holding notes becomes one Recall deck. Nested decks are flattened: the
    Anki deck ``Parent::Child`` becomes a Recall deck titled ``Parent › Child`` whose source
    name is ``<file>::Parent::Child``, so importing the same package again updates it. A
    note whose cards sit in several decks goes to the deck of its first card.

Media
    Images, audio and video referenced by the imported notes are stored with Django's default
    storage under ``anki/<content hash>/<name>`` (served below ``MEDIA_URL``) and the fields
    point at them; ``[sound:x.mp3]`` becomes a link. Files a note references but the package
    lacks are reported in ``warnings`` and ``missing_media``; other file types (SVG, HTML,
    scripts) are not stored, and reported too. ``store_media`` writes the files and returns
    the names it created, so a failed import can remove them again (``delete_media``).

Limits (each refusal is an ``ImportFormatError`` naming the file)
    not a zip, no collection inside, a collection that is not a readable SQLite database,
    note types, decks or a media list in JSON nested too deeply to read,
    more members than ``RECALL_MAX_ARCHIVE_MEMBERS``, more than ``RECALL_MAX_ARCHIVE_BYTES``
    once expanded, or one media file over ``RECALL_MAX_MEDIA_FILE_BYTES``.

Not supported: scheduling and review history (Recall schedules with its own FSRS state),
LaTeX and MathJax rendering (kept as text), deck descriptions and note type styling.

This package reads the collection and converts its notes; ``archive`` reads the zip members
within their budget (and zstd, protobuf), ``media`` the media files and their references.
"""  # noqa: RUF002

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from recall.decks.limits import FieldTooLong, check_card_text

from ..base import ImportFormatError, ParsedCard, ParsedDeck
from ..html_to_markdown import html_field_to_markdown
from .archive import ZSTD_MAGIC, ArchiveReader, proto_first, zstd_decompress
from .media import (
    DEFAULT_MAX_MEDIA_FILE_BYTES,
    MEDIA_EXTENSIONS,
    MEDIA_PREFIX,
    MediaEntry,
    MediaFile,
    MediaResolver,
    delete_media,
    max_media_file_bytes,
    media_map,
    store_media,
)

LAYOUT = "apkg"
# Nested Anki decks become one Recall deck each, titled with this between the names.
DECK_TITLE_SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
# Newest first: a modern package also carries a dummy legacy collection for old clients.
COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
_FIELD_SEPARATOR = "\x1f"
_NEW_DECK_SEPARATOR = "\x1f"
_REF_RE = re.compile(r"\{\{([^{}]+)\}\}")
_SPECIAL_FIELDS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}
_CLOZE_MARK_RE = re.compile(r"\{\{c\d+::")


@dataclass
class AnkiImport:
    """Everything read from one package; nothing is written until the caller stores it."""

    decks: list[ParsedDeck] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    collection: str = ""  # which collection member was read


@dataclass
class _NoteType:
    name: str
    is_cloze: bool
    fields: list[str]
    templates: list[tuple[str, str]]  # (front, back) template source per card


def parse_apkg(filename: str, data: bytes | IO[bytes]) -> AnkiImport:
    """Read an .apkg; raise ImportFormatError (naming the file) when it cannot be imported.

    ``data``: the package's bytes, or a seekable binary file (an import job's stored upload,
    so that a large package with media is never held in memory whole).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ImportFormatError(
            "is not an Anki package (an .apkg is a zip archive)", source=filename
        ) from None
    with archive:
        reader = ArchiveReader(filename, archive)
        member = next((n for n in COLLECTION_NAMES if n in reader.names), None)
        if member is None:
            raise ImportFormatError(
                "contains no Anki collection (collection.anki2, .anki21 or .anki21b)",
                source=filename,
            )
        raw = reader.read(member, reader.budget)
        if member.endswith("b") or raw.startswith(ZSTD_MAGIC):
            raw = zstd_decompress(filename, member, raw, reader.budget)
        result = AnkiImport(collection=member)
        media_names = media_map(reader)
        with tempfile.TemporaryDirectory(prefix="recall-apkg-") as tmp:
            db_path = Path(tmp) / "collection.sqlite"
            db_path.write_bytes(raw)
            del raw
            try:
                collection = _query_collection(filename, db_path, member)
            except sqlite3.DatabaseError as exc:
                raise ImportFormatError(
                    f"{member} is not a readable Anki collection ({exc})", source=filename
                ) from None
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                raise ImportFormatError(
                    f"{member} is a damaged Anki collection ({exc})", source=filename
                ) from None
        _convert_notes(filename, collection, result, media_names, reader)
    return result


# --- the collection ------------------------------------------------------------------------------


@dataclass
class _Collection:
    note_types: dict[int, _NoteType]
    deck_names: dict[int, str]
    cards: dict[int, list[tuple[int, int]]]  # note id -> (template ord, deck id) per card
    # id, note type id, tags, fields; None when a text column holds binary data
    notes: list[tuple[int, int, str | None, str | None]]


class _QueryBudget:
    """Aborts a query that runs far longer than any real collection needs (a hostile view)."""

    CHECK_EVERY = 100_000  # SQLite virtual machine instructions
    MAX_CHECKS = 50_000

    def __init__(self) -> None:
        self.checks = 0

    def __call__(self) -> int:
        self.checks += 1
        return 1 if self.checks > self.MAX_CHECKS else 0


def _query_collection(filename: str, db_path: Path, member: str) -> _Collection:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.set_progress_handler(_QueryBudget(), _QueryBudget.CHECK_EVERY)
    try:
        # Real tables only: a view of the same name could run arbitrary queries.
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not {"notes", "cards", "col"} <= tables:
            raise ImportFormatError(
                f"{member} is not an Anki collection (no notes table)", source=filename
            )
        if "notetypes" in tables:
            note_types = _note_types_new(conn)
            deck_names = {
                int(i): (_cell_text(n) or "Default").replace(_NEW_DECK_SEPARATOR, "::")
                for i, n in conn.execute("SELECT id, name FROM decks")
            }
        else:
            note_types, deck_names = _note_types_legacy(filename, conn)
        card_rows: dict[int, list[tuple[int, int]]] = {}
        for nid, did, ord_ in conn.execute("SELECT nid, did, ord FROM cards ORDER BY nid, ord"):
            card_rows.setdefault(int(nid), []).append((int(ord_), int(did)))
        notes = [
            (int(nid), int(mid), _cell_text(tags), _cell_text(flds))
            for nid, mid, tags, flds in conn.execute(
                "SELECT id, mid, tags, flds FROM notes ORDER BY id"
            )
        ]
    finally:
        conn.close()
    return _Collection(note_types, deck_names, card_rows, notes)


def _cell_text(value: object) -> str | None:
    """A text column's value: SQLite stores whatever a writer gave it, whatever the column.

    NULL is empty text, a number its decimal text; a blob (binary data) is no text at all:
    None, and the caller skips what holds it rather than show ``b'\\x00...'``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None


_BINARY_NOTES = "notes whose fields or tags are binary data, not text"


def _convert_notes(
    filename: str,
    collection: _Collection,
    result: AnkiImport,
    media_entries: dict[str, MediaEntry],
    reader: ArchiveReader,
) -> None:
    note_types, deck_names, card_rows = (
        collection.note_types,
        collection.deck_names,
        collection.cards,
    )
    resolver = MediaResolver(reader, media_entries, result)
    builder = _NoteConverter(resolver)
    by_deck: dict[str, list[ParsedCard]] = {}
    skipped: dict[str, int] = {}
    for nid, mid, tags, flds in collection.notes:
        note_type = note_types.get(mid)
        cards = card_rows.get(nid, [])
        if tags is None or flds is None:
            skipped[_BINARY_NOTES] = skipped.get(_BINARY_NOTES, 0) + 1
            continue
        if note_type is None or not cards:
            skipped["notes without a note type or cards"] = (
                skipped.get("notes without a note type or cards", 0) + 1
            )
            continue
        try:
            outcome = builder.card(note_type, flds.split(_FIELD_SEPARATOR), cards)
        except FieldTooLong as exc:
            # Refused whole, like any import with a card too long (see decks.limits).
            raise ImportFormatError(
                f"note {nid}: {exc.message} Nothing was imported.", source=filename
            ) from None
        if isinstance(outcome, str):
            skipped[outcome] = skipped.get(outcome, 0) + 1
            continue
        outcome.tags = [t for t in tags.split() if t]
        deck_name = deck_names.get(cards[0][1], "Default")
        by_deck.setdefault(deck_name, []).append(outcome)
    result.warnings.extend(builder.warnings)
    result.warnings.extend(f"skipped {count} {reason}" for reason, count in skipped.items())
    for deck_name in sorted(by_deck):
        result.decks.append(
            ParsedDeck(
                source_name=f"{filename}::{deck_name}"[:255],
                title=deck_name.replace("::", DECK_TITLE_SEPARATOR)[:200],
                cards=by_deck[deck_name],
                layout=LAYOUT,
            )
        )
    if not result.decks:
        raise ImportFormatError("contains no notes Recall can import", source=filename)


def _note_types_legacy(
    filename: str, conn: sqlite3.Connection
) -> tuple[dict[int, _NoteType], dict[int, str]]:
    row = conn.execute("SELECT models, decks FROM col").fetchone()
    if row is None:
        raise ImportFormatError("its collection has no note types", source=filename)
    try:
        models = json.loads(row[0] or "{}")
        decks = json.loads(row[1] or "{}")
    except json.JSONDecodeError:
        raise ImportFormatError("its note types are not valid JSON", source=filename) from None
    except RecursionError:
        # Python's JSON decoder recurses once per level of nesting.
        raise ImportFormatError(
            "its note types or decks are nested too deeply", source=filename
        ) from None
    note_types: dict[int, _NoteType] = {}
    for model_id, model in models.items():
        fields = sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))
        templates = sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))
        note_types[int(model_id)] = _NoteType(
            name=str(model.get("name", "")),
            is_cloze=model.get("type") == 1,
            fields=[str(f.get("name", "")) for f in fields],
            templates=[(str(t.get("qfmt", "")), str(t.get("afmt", ""))) for t in templates],
        )
    deck_names = {int(i): str(d.get("name", "Default")) for i, d in decks.items()}
    return note_types, deck_names


def _note_types_new(conn: sqlite3.Connection) -> dict[int, _NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(_cell_text(name) or "")
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, config in conn.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        # CardTemplate.Config { q_format = 1, a_format = 2, ... }
        blob = bytes(config)
        front = proto_first(blob, 1, b"").decode("utf-8", "replace")
        back = proto_first(blob, 2, b"").decode("utf-8", "replace")
        templates.setdefault(int(ntid), []).append((front, back))
    note_types: dict[int, _NoteType] = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        # Notetype.Config { kind = 1 (0 normal, 1 cloze), ... }
        kind = proto_first(bytes(config), 1, 0)
        note_types[int(ntid)] = _NoteType(
            name=_cell_text(name) or "",
            is_cloze=kind == 1,
            fields=fields.get(int(ntid), []),
            templates=templates.get(int(ntid), []),
        )
    return note_types


def _field_refs(template: str) -> list[tuple[str, str]]:
    """(field name, filter) for each field a template shows; sections and specials left out."""
    refs: list[tuple[str, str]] = []
    for match in _REF_RE.finditer(template):
        ref = match.group(1).strip()
        if not ref or ref[0] in "#^/!":
            continue
        *filters, name = ref.split(":")
        name = name.strip()
        if name in _SPECIAL_FIELDS:
            continue
        refs.append((name, filters[0].strip() if filters else ""))
    return refs


class _NoteConverter:
    def __init__(self, resolver: MediaResolver) -> None:
        self.resolver = resolver
        self.warnings: list[str] = []
        self._warned: set[str] = set()

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(message)

    def _convert(self, values: dict[str, str], names: Iterable[str]) -> str:
        parts = []
        for name in names:
            value = values.get(name, "")
            if value.strip():
                # Before converting: the conversion renders the field, which costs memory
                # in proportion to its size (the card's texts are checked again on import).
                check_card_text(value, field=f"field “{name}”")
                converted = html_field_to_markdown(self.resolver.rewrite(value))
                if converted:
                    parts.append(converted)
        return "\n\n".join(parts)

    def card(
        self, note_type: _NoteType, field_values: list[str], cards: list[tuple[int, int]]
    ) -> ParsedCard | str:
        """The card for one note, or why it was skipped."""
        values = dict(zip(note_type.fields, field_values, strict=False))
        if not note_type.templates:
            return f"notes of the note type {note_type.name!r}, which has no card template"
        front, back = note_type.templates[0]
        if note_type.is_cloze:
            if "image-occlusion" in front or "Occlusion" in values:
                return "image occlusion notes (they have no text to study)"
            return self._cloze(note_type, values, front, back)
        front_refs = _field_refs(front)
        # {{type:Back}} on the front is an answer box: that field is the answer, not the question.
        question_fields = _unique(n for n, f in front_refs if f != "type" and n in values)
        if not question_fields:
            question_fields = note_type.fields[:1]
        answer_fields = _unique(
            n for n, _ in _field_refs(back) if n in values and n not in question_fields
        )
        answer_fields = _unique(
            [*answer_fields, *(n for n, f in front_refs if f == "type" and n in values)]
        )
        if not answer_fields:
            answer_fields = [n for n in note_type.fields if n not in question_fields]
        kind = "basic"
        answer = self._convert(values, answer_fields)
        if len(note_type.templates) >= 2:
            if _swaps(note_type.templates[0], note_type.templates[1], values):
                # Reversed when Anki made the reverse card, or when the answer is empty: a
                # reversed note without an answer has one card in Recall as in Anki.
                if any(ord_ == 1 for ord_, _ in cards) or not answer.strip():
                    kind = "reversed"
            else:
                self._warn_once(
                    note_type.name,
                    f"note type {note_type.name!r} has {len(note_type.templates)} card "
                    "templates; each note was imported once, from its first template",
                )
        question = self._convert(values, question_fields)
        if not question:
            return "notes with an empty front"
        return ParsedCard(question=question, answer=answer, kind=kind)

    def _cloze(
        self, note_type: _NoteType, values: dict[str, str], front: str, back: str
    ) -> ParsedCard | str:
        cloze_fields = _unique(n for n, f in _field_refs(front) if f == "cloze" and n in values)
        if not cloze_fields:
            cloze_fields = note_type.fields[:1]
        extra = _unique(n for n, _ in _field_refs(back) if n in values and n not in cloze_fields)
        question = self._convert(values, cloze_fields)
        if not question:
            return "notes with an empty cloze text"
        kind = "cloze" if _CLOZE_MARK_RE.search(question) else "basic"
        return ParsedCard(question=question, answer=self._convert(values, extra), kind=kind)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _swaps(first: tuple[str, str], second: tuple[str, str], values: dict[str, str]) -> bool:
    """True when the second template asks the first one's answer and shows its question."""

    def shown(template: str) -> set[str]:
        return {n for n, f in _field_refs(template) if n in values and f != "type"}

    q1, q2 = shown(first[0]), shown(second[0])
    a1 = shown(first[1]) - q1
    a2 = shown(second[1]) - q2
    return bool(q1) and bool(q2) and q2 == a1 and a2 == q1


__all__ = [
    "DEFAULT_MAX_MEDIA_FILE_BYTES",
    "MEDIA_EXTENSIONS",
    "MEDIA_PREFIX",
    "AnkiImport",
    "MediaFile",
    "delete_media",
    "max_media_file_bytes",
    "parse_apkg",
    "store_media",
]
