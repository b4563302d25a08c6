"""A deck as an Anki package (.apkg), written with genanki.

One Anki note per live Recall note, in one Anki deck (a title "Parent › Child" becomes the nested
deck "Parent::Child"). The note types have fixed ids and carry the code-highlighting
stylesheet; each note's GUID is derived from the deck owner, the deck and the note's source
key, so importing a later export into Anki updates the notes instead of adding copies. Each
note's modification time is the note's, so Anki takes the new text only for notes that
changed. Fields hold the rendered, sanitised HTML; cloze notes become Anki cloze notes
(``{{c1::...}}`` kept in the text, outside code only, as Recall reads them). Anki then makes
exactly the cards Recall schedules: one for a basic note, two for a reversed note with an
answer, one per cloze number. Tags are carried over with spaces replaced by ``_``.
Images and sounds stored by an Anki import (``MEDIA_URL`` + ``anki/...``) go back into the
package as media.
"""  # noqa: RUF002

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import posixpath
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import genanki
from django.conf import settings
from django.core.files.storage import default_storage

from recall.decks.models import CardKind, Deck, Note
from recall.decks.prompts import cloze_numbers, sub_cloze
from recall.decks.rendering import pygments_css, render_markdown

# Fixed forever: Anki recognises a note type by its id, so changing one duplicates note types.
BASIC_MODEL_ID = 1_724_060_101
REVERSED_MODEL_ID = 1_724_060_102
CLOZE_MODEL_ID = 1_724_060_103
DECK_TITLE_SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
# No registered media type exists for .apkg; Anki and browsers treat it as a download.
APKG_CONTENT_TYPE = "application/octet-stream"

_CARD_CSS = """.card {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 18px;
  line-height: 1.5;
  text-align: left;
  color: #1d1d1f;
  background-color: #ffffff;
}
.nightMode.card, .night_mode .card { color: #e8e8e8; background-color: #1e1e1e; }
pre.highlight { padding: 0.6em 0.8em; overflow-x: auto; border-radius: 4px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.cloze { font-weight: bold; color: #0a58ca; }
.nightMode .cloze { color: #6ea8fe; }
"""
_BACK_SEPARATOR = "{{FrontSide}}\n\n<hr id=answer>\n\n"
_MEDIA_ATTR_RE = re.compile(r"""(\bsrc\s*=\s*)"([^"]*)\"""")
_SOUND_LINK_FULL_RE = re.compile(
    # "[^<>]*": an unclosed "<a" stops at the next tag instead of scanning to the end.
    r"<a\b[^<>]*\bhref=\"([^\"]*)\"[^<>]*>\N{SPEAKER WITH THREE SOUND WAVES} [^<]*</a>"
)


def _css() -> str:
    return _CARD_CSS + pygments_css()


def basic_model() -> genanki.Model:
    return genanki.Model(
        BASIC_MODEL_ID,
        "Recall Basic",
        fields=[{"name": "Question"}, {"name": "Answer"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": _BACK_SEPARATOR + "{{Answer}}",
            }
        ],
        css=_css(),
    )


def reversed_model() -> genanki.Model:
    return genanki.Model(
        REVERSED_MODEL_ID,
        "Recall Basic (and reversed card)",
        fields=[{"name": "Question"}, {"name": "Answer"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": _BACK_SEPARATOR + "{{Answer}}",
            },
            {
                "name": "Card 2",
                "qfmt": "{{Answer}}",
                "afmt": _BACK_SEPARATOR + "{{Question}}",
            },
        ],
        css=_css(),
    )


def cloze_model() -> genanki.Model:
    return genanki.Model(
        CLOZE_MODEL_ID,
        "Recall Cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}",
            }
        ],
        css=_css(),
        model_type=genanki.Model.CLOZE,
    )


def note_guid(deck: Deck, note: Note) -> str:
    """Stable per note: the same note exported again is the same Anki note."""
    return str(genanki.guid_for(deck.owner_id, deck.pk, note.source_key or f"card-{note.pk}"))


def anki_deck_id(deck: Deck) -> int:
    digest = hashlib.sha256(f"recall-deck:{deck.owner_id}:{deck.pk}".encode()).digest()
    # Kept below 2**53 so every Anki client (some use JavaScript numbers) reads it exactly.
    return (1 << 40) + int.from_bytes(digest[:5], "big")


def anki_deck_name(deck: Deck) -> str:
    parts = [p.strip() for p in deck.title.split(DECK_TITLE_SEPARATOR.strip())]
    return "::".join(p for p in parts if p) or "Recall"


def anki_tag(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip())


def cloze_html(source: str) -> str:
    """Render a cloze question to HTML keeping Anki's {{cN::text::hint}} markers."""
    tokens: dict[str, str] = {}

    def protect(number: int, inner: str, hint: str | None) -> str:
        index = len(tokens)
        # Bracket punctuation around the markers keeps _emphasis_ inside a deletion working.
        opener, closer = f"\u2e28c{index}\u2e29", f"\u2e28/{index}\u2e29"
        tokens[opener] = f"{{{{c{number}::"
        tokens[closer] = f"::{html.escape(hint)}}}}}" if hint else "}}"
        return f"{opener}{inner}{closer}"

    rendered = render_markdown(sub_cloze(source, protect))
    # Braces left are text (in code, say): as entities, Anki reads no deletion in them.
    rendered = rendered.replace("{{", "&#123;&#123;")
    for token, text in tokens.items():
        rendered = rendered.replace(token, text)
    return rendered


class _MediaCollector:
    """Files of our media storage referenced by the exported HTML, renamed flat for Anki."""

    def __init__(self) -> None:
        self.prefix = settings.MEDIA_URL.rstrip("/") + "/"
        self.files: dict[str, str] = {}  # storage path -> name inside the package
        self.names: set[str] = set()

    def _name_for(self, url: str) -> str | None:
        if not url.startswith(self.prefix):
            return None
        path = url[len(self.prefix) :]
        if path in self.files:
            return self.files[path]
        if ".." in path.split("/") or not default_storage.exists(path):
            return None
        name = posixpath.basename(path)
        if name in self.names:
            name = f"{hashlib.sha256(path.encode()).hexdigest()[:8]}-{name}"
        self.files[path] = name
        self.names.add(name)
        return name

    def rewrite(self, field_html: str) -> str:
        def sound(match: re.Match[str]) -> str:
            name = self._name_for(html.unescape(match.group(1)))
            return f"[sound:{name}]" if name else match.group(0)

        def src(match: re.Match[str]) -> str:
            name = self._name_for(html.unescape(match.group(2)))
            return f'{match.group(1)}"{html.escape(name)}"' if name else match.group(0)

        return _MEDIA_ATTR_RE.sub(src, _SOUND_LINK_FULL_RE.sub(sound, field_html))


def _note_for(
    deck: Deck, card: Note, models: dict[str, genanki.Model], media: _MediaCollector
) -> genanki.Note:
    question_html = card.question_html
    answer_html = card.answer_html
    kind = card.kind
    if kind == CardKind.CLOZE and cloze_numbers(card.question):
        model = models["cloze"]
        question_html = cloze_html(card.question)
    elif kind == CardKind.REVERSED:
        model = models["reversed"]
    else:
        model = models["basic"]
    tags = sorted({anki_tag(t.name) for t in card.tags.all()} - {""})
    return genanki.Note(
        model=model,
        fields=[media.rewrite(question_html), media.rewrite(answer_html)],
        tags=tags,
        guid=note_guid(deck, card),
    )


def export_apkg(deck: Deck) -> bytes:
    """The deck's live notes as the bytes of an .apkg file."""
    cards = list(
        deck.notes.filter(is_archived=False).prefetch_related("tags").order_by("position", "id")
    )
    models = {"basic": basic_model(), "reversed": reversed_model(), "cloze": cloze_model()}
    media = _MediaCollector()
    anki_deck = genanki.Deck(
        anki_deck_id(deck), anki_deck_name(deck), description=render_markdown(deck.description)
    )
    modified: dict[str, int] = {}
    for card in cards:
        note = _note_for(deck, card, models, media)
        anki_deck.add_note(note)
        modified[note.guid] = int(card.updated_at.timestamp()) if card.updated_at else 0
    return _package_bytes(anki_deck, modified, media.files)


def _package_bytes(
    anki_deck: genanki.Deck, modified: dict[str, int], files: dict[str, str]
) -> bytes:
    # genanki writes its SQLite file to a temporary path it never removes; we own the file here.
    with tempfile.TemporaryDirectory(prefix="recall-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            now = time.time()
            package = genanki.Package(anki_deck)
            package.write_to_db(cursor, now, itertools.count(int(now * 1000)))
            cursor.executemany(
                "UPDATE notes SET mod = ? WHERE guid = ?",
                [(mod, guid) for guid, mod in modified.items() if mod],
            )
            conn.commit()
        finally:
            conn.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(db_path, "collection.anki2")
            names = {}
            for index, (path, name) in enumerate(sorted(files.items())):
                with default_storage.open(path, "rb") as handle:
                    archive.writestr(str(index), handle.read())
                names[str(index)] = name
            archive.writestr("media", json.dumps(names))
    return buffer.getvalue()
