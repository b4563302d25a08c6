"""Reading an Anki package's zip members within the size budget, zstd, and the few protobuf
fields Anki's newer packages use."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import zstandard
from django.conf import settings

from ..base import ImportFormatError

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_READ_CHUNK = 64 * 1024


class ArchiveReader:
    """Bounded reads of zip members: sizes are checked on the bytes that come out."""

    def __init__(self, filename: str, archive: zipfile.ZipFile) -> None:
        self.filename = filename
        self.archive = archive
        infos = archive.infolist()
        max_members = settings.RECALL_MAX_ARCHIVE_MEMBERS
        if len(infos) > max_members:
            raise ImportFormatError(
                f"has too many files ({len(infos)}); the limit is {max_members}", source=filename
            )
        self.infos = {info.filename: info for info in infos}
        self.names = set(self.infos)
        self.budget = settings.RECALL_MAX_ARCHIVE_BYTES
        declared = sum(info.file_size for info in infos)
        if declared > self.budget:
            raise ImportFormatError(
                f"expands to {declared} bytes; the limit is {self.budget} bytes", source=filename
            )

    def read(self, name: str, limit: int, what: str = "", hint: str = "") -> bytes:
        info = self.infos[name]
        limit = min(limit, self.budget)
        if info.file_size > limit:
            raise ImportFormatError(
                f"{what or name} is {info.file_size} bytes; the limit is {limit} bytes{hint}",
                source=self.filename,
            )
        chunks: list[bytes] = []
        total = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_READ_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise ImportFormatError(
                            f"{what or name} expands beyond the limit of {limit} bytes{hint}",
                            source=self.filename,
                        )
                    chunks.append(chunk)
        except ImportFormatError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise ImportFormatError(
                f"{name} cannot be read ({exc})", source=self.filename
            ) from None
        self.budget -= total
        return b"".join(chunks)


def zstd_decompress(filename: str, name: str, raw: bytes, limit: int, hint: str = "") -> bytes:
    out = io.BytesIO()
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
        with reader:
            while chunk := reader.read(_READ_CHUNK):
                if out.tell() + len(chunk) > limit:
                    raise ImportFormatError(
                        f"{name} expands beyond the limit of {limit} bytes{hint}", source=filename
                    )
                out.write(chunk)
    except zstandard.ZstdError as exc:
        raise ImportFormatError(
            f"{name} is not valid zstd-compressed data ({exc})", source=filename
        ) from None
    return out.getvalue()


# --- protobuf: just enough of the wire format to read a few fields of Anki's messages ----------


def varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def proto_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs: ints for varints and fixed widths, bytes for the rest."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
            yield number, value
        elif wire == 2:
            length, pos = varint(buf, pos)
            if pos + length > len(buf):
                raise ValueError("truncated field")
            yield number, buf[pos : pos + length]
            pos += length
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            yield number, int.from_bytes(buf[pos : pos + width], "little")
            pos += width
        else:
            raise ValueError(f"unsupported wire type {wire}")


def proto_first(buf: bytes, number: int, default: Any = None) -> Any:
    return next((v for n, v in proto_fields(buf) if n == number), default)
