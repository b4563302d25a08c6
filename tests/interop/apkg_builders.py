"""Build small .apkg files for tests: with genanki (any note type we describe) or by hand."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import zipfile
from pathlib import Path

import genanki

FRONT_BACK = "{{FrontSide}}<hr id=answer>"


def basic_type(model_id: int = 1_500_000_001) -> genanki.Model:
    return genanki.Model(
        model_id,
        "Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Note 1", "qfmt": "{{Front}}", "afmt": FRONT_BACK + "{{Back}}"}],
    )


def reversed_type(model_id: int = 1_500_000_002) -> genanki.Model:
    return genanki.Model(
        model_id,
        "Basic (and reversed card)",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {"name": "Note 1", "qfmt": "{{Front}}", "afmt": FRONT_BACK + "{{Back}}"},
            {"name": "Note 2", "qfmt": "{{Back}}", "afmt": FRONT_BACK + "{{Front}}"},
        ],
    )


def type_in_type(model_id: int = 1_500_000_003) -> genanki.Model:
    return genanki.Model(
        model_id,
        "Basic (type in the answer)",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {
                "name": "Note 1",
                "qfmt": "{{Front}}\n\n{{type:Back}}",
                "afmt": "{{Front}}<hr id=answer>{{type:Back}}",
            }
        ],
    )


def cloze_type(model_id: int = 1_500_000_004) -> genanki.Model:
    return genanki.Model(
        model_id,
        "Cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}
        ],
        model_type=genanki.Model.CLOZE,
    )


def genanki_package(
    tmp_path: Path,
    decks: dict[str, list[genanki.Note]],
    media: dict[str, bytes] | None = None,
) -> bytes:
    """An .apkg (legacy collection.anki2) holding these decks, notes and media files."""
    anki_decks = []
    for index, (name, notes) in enumerate(decks.items()):
        deck = genanki.Deck(2_000_000_000 + index, name)
        for note in notes:
            deck.add_note(note)
        anki_decks.append(deck)
    # genanki's write_to_file leaves its SQLite file in /tmp; build the zip ourselves instead.
    db_path = tmp_path / "genanki-collection.anki2"
    db_path.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    genanki.Package(anki_decks).write_to_db(conn.cursor(), 1_700_000_000.0, itertools.count(1))
    conn.commit()
    conn.close()
    names = dict(enumerate(media or {}))
    members = {"collection.anki2": db_path.read_bytes(), "media": json.dumps(names).encode()}
    members.update({str(i): (media or {})[name] for i, name in names.items()})
    return zip_bytes(members)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def replace_member(package: bytes, name: str, data: bytes) -> bytes:
    """The same package with one member's bytes replaced (or added)."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[name] = data
    return zip_bytes(members)


def sqlite_bytes(tmp_path: Path, script: str) -> bytes:
    path = tmp_path / "handmade.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.commit()
    conn.close()
    return path.read_bytes()
