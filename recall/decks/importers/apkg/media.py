"""Media of an Anki package: which files it holds, reading them within limits, where they
are stored, and the note fields' references rewritten to them."""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from ..base import ImportFormatError
from .archive import ZSTD_MAGIC, ArchiveReader, proto_fields, proto_first, zstd_decompress

MEDIA_PREFIX = "anki"
DEFAULT_MAX_MEDIA_FILE_BYTES = 20 * 1024 * 1024
# Media a web page can show safely; SVG and HTML could carry scripts, so they are not served.
MEDIA_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".mp3", ".ogg", ".oga", ".wav"}
    | {".m4a", ".opus", ".flac", ".mp4", ".webm"}
)
_IMG_SRC_RE = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_SOUND_RE = re.compile(r"\[sound:([^\]]+)\]")


@dataclass
class MediaFile:
    """A media file of the package: the name the notes use and where it is stored."""

    name: str
    path: str  # storage name, e.g. anki/3f5c0a1b2d3e4f50/diagram.png
    data: bytes = field(repr=False)

    @property
    def url(self) -> str:
        return default_storage.url(self.path)


def store_media(media: Iterable[MediaFile]) -> list[str]:
    """Save media files not stored yet; return the storage names this call created."""
    created: list[str] = []
    try:
        for item in media:
            # Names are content addressed: an existing file already holds these bytes.
            if default_storage.exists(item.path):
                continue
            saved = default_storage.save(item.path, ContentFile(item.data))
            created.append(saved)
    except Exception:
        delete_media(created)
        raise
    return created


def delete_media(paths: Iterable[str]) -> None:
    """Remove files written by ``store_media`` for an import that did not complete."""
    for path in paths:
        default_storage.delete(path)


def max_media_file_bytes() -> int:
    return int(getattr(settings, "RECALL_MAX_MEDIA_FILE_BYTES", DEFAULT_MAX_MEDIA_FILE_BYTES))


# --- media ---------------------------------------------------------------------------------------


@dataclass
class MediaEntry:
    name: str
    member: str
    compressed: bool


def media_map(reader: ArchiveReader) -> dict[str, MediaEntry]:
    """Name used in the notes -> zip member holding it."""
    if "media" not in reader.names:
        return {}
    raw = reader.read("media", reader.budget, "the media list")
    filename = reader.filename
    entries: dict[str, MediaEntry] = {}
    if raw.startswith(ZSTD_MAGIC):
        raw = zstd_decompress(filename, "media", raw, reader.budget)
        try:
            # MediaEntries { repeated MediaEntry entries = 1 }, MediaEntry { name = 1, ...,
            # legacy_zip_filename = 4 }; the member is the entry's index unless that is set.
            for index, (number, value) in enumerate(proto_fields(raw)):
                if number != 1 or not isinstance(value, bytes):
                    continue
                name = proto_first(value, 1, b"").decode("utf-8")
                member = str(proto_first(value, 4, index))
                entries[name] = MediaEntry(name, member, compressed=True)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImportFormatError(f"its media list is damaged ({exc})", source=filename) from None
        return entries
    try:
        mapping = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportFormatError("its media list is not valid JSON", source=filename) from None
    except RecursionError:
        raise ImportFormatError("its media list is nested too deeply", source=filename) from None
    if not isinstance(mapping, dict):
        raise ImportFormatError("its media list is not a JSON object", source=filename)
    for member, name in mapping.items():
        if isinstance(name, str):
            entries[name] = MediaEntry(name, str(member), compressed=False)
    return entries


class MediaOutcome(Protocol):
    """Where the resolver reports media it stored, lacked or refused (an AnkiImport)."""

    media: list[MediaFile]
    missing_media: list[str]
    warnings: list[str]


class MediaResolver:
    """Finds, checks and collects the media files the imported notes reference."""

    def __init__(
        self, reader: ArchiveReader, entries: dict[str, MediaEntry], result: MediaOutcome
    ) -> None:
        self.reader = reader
        self.entries = entries
        self.result = result
        self.urls: dict[str, str | None] = {}

    def url_for(self, name: str) -> str | None:
        if name in self.urls:
            return self.urls[name]
        url = self._load(name)
        self.urls[name] = url
        return url

    def _load(self, name: str) -> str | None:
        entry = self.entries.get(name)
        filename = self.reader.filename
        if entry is None or entry.member not in self.reader.names:
            self.result.missing_media.append(name)
            self.result.warnings.append(f"missing media file {name!r}: the package lacks it")
            return None
        ext = posixpath.splitext(name)[1].lower()
        if ext not in MEDIA_EXTENSIONS:
            self.result.warnings.append(f"media file {name!r} not stored: {ext or 'no'} type")
            return None
        limit = max_media_file_bytes()
        what = f"media file {name!r}"
        hint = " (RECALL_MAX_MEDIA_FILE_BYTES)"
        if entry.compressed:
            raw = self.reader.read(entry.member, self.reader.budget, what)
            data = zstd_decompress(filename, what, raw, limit, hint)
        else:
            data = self.reader.read(entry.member, limit, what, hint)
        digest = hashlib.sha256(data).hexdigest()[:16]
        safe = get_valid_filename(posixpath.basename(name)) or f"file{ext}"
        media = MediaFile(name=name, path=f"{MEDIA_PREFIX}/{digest}/{safe}", data=data)
        self.result.media.append(media)
        return media.url

    def rewrite(self, field_html: str) -> str:
        def img(match: re.Match[str]) -> str:
            raw = match.group(2) or match.group(3) or match.group(4) or ""
            name = html.unescape(raw)
            if re.match(r"^[a-z][a-z0-9+.-]*:", name, re.I) or name.startswith("/"):
                return match.group(0)  # already a URL, not a packaged file
            url = self.url_for(name)
            return f'{match.group(1)}"{html.escape(url or name)}"'

        def sound(match: re.Match[str]) -> str:
            name = html.unescape(match.group(1))
            url = self.url_for(name)
            label = html.escape(name)
            return f'<a href="{html.escape(url)}">🔊 {label}</a>' if url else f"🔊 {label}"

        return _SOUND_RE.sub(sound, _IMG_SRC_RE.sub(img, field_html))
