"""Turn an uploaded file into decoded text documents, refusing anything unsafe or unreadable.

Every refusal is an ``ImportRejected`` whose message names the file and the problem, so the
web page, the API and the command can show it as is. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from charset_normalizer import from_bytes
from django.conf import settings

from recall.core.exceptions import ApplicationError

# Text formats a deck can be parsed from; an archive holds any number of them.
TEXT_EXTENSIONS = frozenset({".md", ".markdown", ".txt", ".csv", ".tsv"})
ARCHIVE_EXTENSIONS = frozenset({".zip"})
# Anki packages: read by importers.apkg (a zip with an SQLite collection and media).
PACKAGE_EXTENSIONS = frozenset({".apkg"})
# Archives inside archives are refused: they are how decompression bombs nest.
NESTED_ARCHIVE_EXTENSIONS = frozenset({".zip", ".apkg", ".gz", ".tgz", ".tar", ".7z", ".rar"})

# Legacy encodings notes are commonly saved in, tried only when the bytes are not UTF-8.
_LEGACY_ENCODINGS = [
    "cp1252", "iso8859_15", "cp1250", "cp1251", "koi8_r", "mac_roman",
    "cp932", "euc_jp", "gb18030", "big5", "euc_kr",
]  # fmt: skip
# Western European text is by far the most common non-UTF-8 case; it breaks ties.
_TIE_BREAK_ENCODING = "cp1252"
# A real text file has almost no control characters besides tab, newline, form feed, CR.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_LIMIT = 0.01
# A member that inflates more than this much (and is big enough to matter) is a bomb.
_MAX_COMPRESSION_RATIO = 200
_RATIO_MIN_BYTES = 1024 * 1024
_READ_CHUNK = 64 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


class ImportRejected(ApplicationError):
    """The upload cannot be imported; the message says which file and why."""

    code = "import_rejected"


@dataclass(frozen=True)
class TextDocument:
    """One decoded text file: its name (a path inside an archive) and its content."""

    name: str
    text: str


def extension_of(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def supported_extensions() -> list[str]:
    return sorted(TEXT_EXTENSIONS | ARCHIVE_EXTENSIONS | PACKAGE_EXTENSIONS)


def upload_limit(filename: str) -> int:
    """The largest upload of this file's type, in bytes: Anki packages carry media, so
    they have their own limit (``RECALL_MAX_APKG_MB``, never below the general one)."""
    limit = int(settings.RECALL_MAX_UPLOAD_BYTES)
    if extension_of(filename) in PACKAGE_EXTENSIONS:
        return max(limit, int(settings.RECALL_MAX_APKG_BYTES))
    return limit


def check_upload(filename: str, size: int) -> None:
    """Cheap checks made before an upload is stored: a known extension and a size within limits."""
    ext = extension_of(filename)
    if ext not in TEXT_EXTENSIONS | ARCHIVE_EXTENSIONS | PACKAGE_EXTENSIONS:
        allowed = ", ".join(supported_extensions())
        shown = ext or "no extension"
        raise ImportRejected(f"{filename}: unsupported file type ({shown}); use one of {allowed}")
    limit = upload_limit(filename)
    if size > limit:
        raise ImportRejected(
            f"{filename} is too large ({_human_size(size)}); the limit is {_human_size(limit)}"
        )
    if size == 0:
        raise ImportRejected(f"{filename} is empty")


def documents_from_upload(filename: str, data: bytes) -> list[TextDocument]:
    """Validate an upload and return its text documents (one, or one per archive member)."""
    check_upload(filename, len(data))
    if extension_of(filename) in ARCHIVE_EXTENSIONS:
        return _documents_from_zip(filename, data)
    return [TextDocument(name=filename, text=decode_text(filename, data))]


def decode_text(filename: str, data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16/32 with BOM, else a sure guess."""
    if not data:
        raise ImportRejected(f"{filename} is empty")
    text = _decode(filename, data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(_CONTROL_RE.findall(text)) > max(1, len(text) * _CONTROL_LIMIT):
        raise ImportRejected(f"{filename} looks like a binary file, not text")
    if not text.strip():
        raise ImportRejected(f"{filename} is empty")
    return text


def _decode(filename: str, data: bytes) -> str:
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportRejected(
                    f"{filename} starts with a {encoding.upper()} byte order mark but is not "
                    f"valid {encoding.upper()} (byte {exc.start}); save it as UTF-8"
                ) from None
    if b"\x00" in data:
        raise ImportRejected(f"{filename} looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    guessed = _guess_legacy_encoding(data)
    if guessed is None:
        raise ImportRejected(f"could not detect the text encoding of {filename}; save it as UTF-8")
    return data.decode(guessed)


def _guess_legacy_encoding(data: bytes) -> str | None:
    """A confident guess among common legacy encodings, or None when the evidence is split."""
    matches = list(from_bytes(data, cp_isolation=_LEGACY_ENCODINGS))
    if not matches:
        return None
    best_chaos = min(m.chaos for m in matches)
    plausible = [m for m in matches if m.chaos <= best_chaos + 0.01]
    plausible.sort(key=lambda m: m.coherence, reverse=True)
    if len(plausible) == 1 or plausible[0].coherence - plausible[1].coherence >= 0.1:
        chosen = plausible[0]
        if _TIE_BREAK_ENCODING in chosen.could_be_from_charset:
            return _TIE_BREAK_ENCODING
        return str(chosen.encoding)
    for match in plausible:
        if _TIE_BREAK_ENCODING in match.could_be_from_charset:
            return _TIE_BREAK_ENCODING
    return None


def _documents_from_zip(filename: str, data: bytes) -> list[TextDocument]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ImportRejected(f"{filename} is not a valid .zip archive") from None
    with archive:
        infos = archive.infolist()
        max_members = settings.RECALL_MAX_ARCHIVE_MEMBERS
        if len(infos) > max_members:
            raise ImportRejected(
                f"{filename} has too many files ({len(infos)}); the limit is {max_members}"
            )
        wanted = list(_importable_members(filename, infos))
        max_total = settings.RECALL_MAX_ARCHIVE_BYTES
        declared = sum(info.file_size for _, info in wanted)
        if declared > max_total:
            raise ImportRejected(
                f"{filename} expands to {_human_size(declared)}; the limit is "
                f"{_human_size(max_total)}"
            )
        documents: list[TextDocument] = []
        budget = max_total
        for name, info in wanted:
            raw = _read_member(filename, archive, name, info, budget)
            budget -= len(raw)
            try:
                text = decode_text(name, raw)
            except ImportRejected as exc:
                raise ImportRejected(f"{filename}: {exc.message}") from None
            documents.append(TextDocument(name=name, text=text))
    if not documents:
        allowed = ", ".join(sorted(TEXT_EXTENSIONS))
        raise ImportRejected(f"{filename} contains no notes files ({allowed})")
    return documents


def _importable_members(
    filename: str, infos: Iterable[zipfile.ZipInfo]
) -> Iterable[tuple[str, zipfile.ZipInfo]]:
    """Safe member names of the notes files; unsafe names refuse the whole archive."""
    seen: set[str] = set()
    for info in infos:
        name = _safe_member_name(filename, info)
        if name is None:
            continue
        ext = extension_of(name)
        if ext in NESTED_ARCHIVE_EXTENSIONS:
            raise ImportRejected(f"{filename}: nested archives are not supported ({name})")
        if ext not in TEXT_EXTENSIONS:
            # Images and other attachments beside the notes are expected; they are skipped.
            continue
        if info.flag_bits & 0x1:
            raise ImportRejected(f"{filename}: {name} is encrypted")
        if name.casefold() in seen:
            raise ImportRejected(f"{filename}: {name} appears twice")
        seen.add(name.casefold())
        yield name, info


def _safe_member_name(filename: str, info: zipfile.ZipInfo) -> str | None:
    """The member's normalised name, None for entries to skip, or a refusal for unsafe ones."""
    raw = info.filename
    name = raw.replace("\\", "/")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ImportRejected(f"{filename}: symbolic links are not allowed ({raw})")
    if name.startswith("/") or _DRIVE_RE.match(name):
        raise ImportRejected(f"{filename}: absolute paths are not allowed ({raw})")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ImportRejected(f"{filename}: paths that leave the archive are not allowed ({raw})")
    if info.is_dir() or not parts:
        return None
    # Finder's resource forks and dot files are never notes.
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return None
    return posixpath.join(*parts)


def _read_member(
    filename: str, archive: zipfile.ZipFile, name: str, info: zipfile.ZipInfo, budget: int
) -> bytes:
    """Read a member, trusting the bytes that come out rather than the sizes in its header."""
    limit = min(settings.RECALL_MAX_UPLOAD_BYTES, budget)
    compressed = max(info.compress_size, 1)
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_READ_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise ImportRejected(
                        f"{filename}: {name} expands beyond the limit of {_human_size(limit)}"
                    )
                if total > _RATIO_MIN_BYTES and total / compressed > _MAX_COMPRESSION_RATIO:
                    raise ImportRejected(
                        f"{filename}: {name} is compressed suspiciously well "
                        "(a decompression bomb?)"
                    )
                chunks.append(chunk)
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ImportRejected(f"{filename}: {name} cannot be read ({exc})") from None
    return b"".join(chunks)


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
