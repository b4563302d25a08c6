"""Validation of uploads: encodings, binary and empty files, sizes and unsafe .zip archives."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile

import pytest

from recall.decks.uploads import (
    ImportRejected,
    check_upload,
    decode_text,
    documents_from_upload,
    upload_limit,
)

NOTES = "# 1. What is a list?\n\nA mutable sequence.\n"


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rejected(filename: str, data: bytes) -> str:
    with pytest.raises(ImportRejected) as info:
        documents_from_upload(filename, data)
    assert filename.split("/")[-1] in info.value.message or filename in info.value.message
    return info.value.message


# --- encodings ---------------------------------------------------------------------------------


def test_utf8_with_and_without_bom_decodes_the_same():
    assert decode_text("a.md", NOTES.encode()) == NOTES
    assert decode_text("a.md", b"\xef\xbb\xbf" + NOTES.encode()) == NOTES


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_accepted(encoding):
    text = "# 1. Qu'est-ce qu'un café ?\n\nUne boisson.\n"
    data = text.encode(encoding)
    if encoding != "utf-16":  # the plain codec writes its own BOM
        data = ("\ufeff" + text).encode(encoding)
    assert decode_text("a.md", data) == text


def test_legacy_western_encoding_is_guessed():
    text = "# 1. Qu'est-ce que le café ?\n\nUne boisson très appréciée à Noël, déjà.\n"
    assert decode_text("notes.md", text.encode("cp1252")) == text


def test_undecidable_encoding_is_refused_with_advice():
    # High bytes that form no text in any common encoding.
    data = bytes(0x80 + (i * 37) % 127 for i in range(200))
    message = rejected("mystery.md", data)
    assert message == "could not detect the text encoding of mystery.md; save it as UTF-8"


def test_binary_file_with_nul_bytes_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert "binary" in rejected("picture.md", png)


def test_text_full_of_control_characters_is_refused():
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 20 + b"abc"
    assert "binary" in rejected("weird.txt", data)


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data):
    assert rejected("empty.md", data) == "empty.md is empty"


def test_file_over_the_upload_limit_is_refused(settings):
    settings.RECALL_MAX_UPLOAD_BYTES = 100
    message = rejected("big.md", NOTES.encode() * 10)
    assert "too large" in message


def test_anki_packages_have_their_own_limit_never_below_the_notes_one(settings):
    settings.RECALL_MAX_UPLOAD_BYTES = 100
    settings.RECALL_MAX_APKG_BYTES = 1000
    check_upload("deck.apkg", 1000)
    with pytest.raises(ImportRejected, match=r"notes\.md is too large .*the limit is 100"):
        check_upload("notes.md", 500)
    with pytest.raises(ImportRejected, match=r"deck\.apkg is too large .*the limit is 1000"):
        check_upload("deck.apkg", 1001)
    settings.RECALL_MAX_APKG_BYTES = 10  # set below the notes limit: the notes limit holds
    assert upload_limit("deck.APKG") == 100
    assert upload_limit("notes.zip") == 100


@pytest.mark.parametrize("name", ["notes.pdf", "notes", "notes.md.exe"])
def test_unsupported_extension_is_refused(name):
    assert "unsupported file type" in rejected(name, b"hello")


# --- archives ----------------------------------------------------------------------------------


def test_zip_members_become_documents_and_junk_is_skipped():
    data = make_zip(
        {
            "deck/python/basics.md": NOTES.encode(),
            "deck/words.csv": b"question,answer\nhi,hello\n",
            "deck/.hidden.md": NOTES.encode(),
            "__MACOSX/deck/._basics.md": b"\x00\x05\x16\x07",
            "deck/images/diagram.png": b"\x89PNG\x00",
            "deck/empty-folder/": b"",
        }
    )
    docs = documents_from_upload("notes.zip", data)
    assert [d.name for d in docs] == ["deck/python/basics.md", "deck/words.csv"]
    assert docs[0].text == NOTES


def test_not_a_zip_with_zip_extension_is_refused():
    assert "not a valid .zip" in rejected("notes.zip", NOTES.encode())


@pytest.mark.parametrize(
    "member", ["../evil.md", "deck/../../evil.md", "/etc/evil.md", "C:/evil.md", "..\\evil.md"]
)
def test_zip_with_path_traversal_is_refused(member):
    message = rejected("trip.zip", make_zip({"ok.md": NOTES.encode(), member: NOTES.encode()}))
    assert "not allowed" in message


def test_zip_with_symlink_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("notes.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert "symbolic links" in rejected("links.zip", buffer.getvalue())


def test_nested_zip_is_refused():
    inner = make_zip({"a.md": NOTES.encode()})
    assert "nested archives" in rejected("outer.zip", make_zip({"inner.zip": inner}))


def test_zip_with_too_many_members_is_refused(settings):
    settings.RECALL_MAX_ARCHIVE_MEMBERS = 5
    data = make_zip({f"n{i}.md": NOTES.encode() for i in range(6)})
    assert "too many files" in rejected("many.zip", data)


def test_zip_bomb_over_the_archive_limit_is_refused(settings):
    settings.RECALL_MAX_ARCHIVE_BYTES = 1024 * 1024
    data = make_zip({"bomb.md": b"a" * (2 * 1024 * 1024)})
    assert len(data) < 10_000
    message = rejected("bomb.zip", data)
    assert "expands" in message


def test_zip_bomb_is_caught_by_compression_ratio():
    # Within the size limits, but 5 MB of one byte compresses a thousandfold.
    data = make_zip({"bomb.md": b"a" * (5 * 1024 * 1024)})
    assert "suspiciously" in rejected("bomb.zip", data)


def test_zip_member_lying_about_its_size_is_not_trusted(settings):
    settings.RECALL_MAX_ARCHIVE_BYTES = 1024 * 1024
    settings.RECALL_MAX_UPLOAD_BYTES = 1024 * 1024
    size = 3 * 1024 * 1024
    # Hex digits: text that does not compress enough to look like a bomb.
    data = bytearray(make_zip({"big.md": hashlib.sha256(b"x").hexdigest().encode() * (size // 64)}))
    # Forge the uncompressed size in both headers to claim 10 bytes.
    real = size.to_bytes(4, "little")
    forged = (10).to_bytes(4, "little")
    assert data.count(real) == 2
    data = bytearray(bytes(data).replace(real, forged))
    assert "cannot be read" in rejected("liar.zip", bytes(data))


def test_zip_without_notes_is_refused():
    assert "contains no notes" in rejected("pics.zip", make_zip({"a.png": b"\x89PNG"}))


def test_bad_member_encoding_names_the_member():
    data = make_zip({"good.md": NOTES.encode(), "sub/bad.md": b"\x00\x01binary"})
    with pytest.raises(ImportRejected) as info:
        documents_from_upload("notes.zip", data)
    assert info.value.message == "notes.zip: sub/bad.md looks like a binary file, not text"
