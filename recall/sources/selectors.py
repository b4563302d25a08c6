"""Reads of the sources app: a user's sources, their history, and a card's way back to its file."""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import quote, urlsplit

from django.db.models import QuerySet

from recall.decks import importers
from recall.decks.importers import ImportOptions
from recall.decks.models import Note

from .models import Forge, Source, SourceFile, SyncRun

_SCP_RE = re.compile(r"^[\w.+-]+@(?P<host>[\w.-]+):(?P<path>.+)$")


def sources_for(user: Any) -> QuerySet[Source]:
    return Source.objects.filter(owner_id=user.pk)


def source_runs(source: Source) -> QuerySet[SyncRun]:
    return source.runs.select_related("job")


def source_files(source: Source) -> QuerySet[SourceFile]:
    return source.files.select_related("deck").order_by("removed", "path")


def own_notes(user: Any) -> QuerySet[Note]:
    """The notes in the user's own decks (their cards' patches)."""
    return Note.objects.filter(deck__owner_id=user.pk)


def card_source_file(card: Any) -> SourceFile | None:
    """The source file a card was imported from, if its deck is kept in sync with a source."""
    if not card.source_file:
        return None
    return (
        SourceFile.objects.select_related("source")
        .filter(deck_id=card.deck_id, path=card.source_file, removed=False)
        .first()
    )


def _web_base(source: Source) -> tuple[str, str] | None:
    """(https://host/owner/repo, forge) of a source's repository, when it has a known web view."""
    url = source.url.strip()
    scp = _SCP_RE.match(url) if "://" not in url else None
    if scp:
        host, path = scp["host"], scp["path"]
    else:
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http", "ssh"} or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    path = path.strip("/").removesuffix(".git")
    forge = source.forge
    if forge == Forge.AUTO:
        if host == "github.com":
            forge = Forge.GITHUB
        elif "gitlab" in host:
            forge = Forge.GITLAB
        elif host == "codeberg.org" or "gitea" in host or "forgejo" in host:
            forge = Forge.GITEA
        else:
            return None
    if forge == Forge.NONE or not path:
        return None
    return f"https://{host}/{path}", forge


def forge_line_url(source: Source, *, path: str, commit: str, line: int | None) -> str:
    """The line's address in the forge's web view (GitHub, GitLab, Gitea), or ""."""
    base = _web_base(source)
    if base is None or not commit:
        return ""
    root, forge = base
    file = quote(path)
    anchor = f"#L{line}" if line else ""
    if forge == Forge.GITHUB:
        return f"{root}/blob/{commit}/{file}{anchor}"
    if forge == Forge.GITLAB:
        return f"{root}/-/blob/{commit}/{file}{anchor}"
    return f"{root}/src/commit/{commit}/{file}{anchor}"


def card_forge_url(card: Any, record: SourceFile | None = None) -> str:
    record = record or card_source_file(card)
    if record is None:
        return ""
    return forge_line_url(
        record.source, path=record.path, commit=record.commit, line=card.source_line
    )


def card_patch(card: Any, record: SourceFile | None = None) -> str:
    """A unified diff that carries the card's edits (made in Recall) back to its notes file.

    "" when the card matches its file, or its text cannot be found in the file as imported.
    """

    record = record or card_source_file(card)
    if record is None or not record.content:
        return ""
    text = record.content.replace("\r\n", "\n")
    try:
        options = ImportOptions.from_dict(record.source.import_options)
    except ValueError:
        options = ImportOptions()
    # Read as the sync read it, so the card is found at the same line.
    parsed = importers.parse_document(record.path, text, options)
    original = next((c for c in parsed.cards if c.line == card.source_line), None)
    if original is None:
        return ""
    if original.question == card.question and original.answer == card.answer:
        return ""
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: max((card.source_line or 1) - 1, 0)])
    head, rest = text[:start], text[start:]
    for old, new in ((original.question, card.question), (original.answer, card.answer)):
        if old == new:
            continue
        at = rest.find(old) if old else -1
        if at < 0:
            return ""
        # Cut after the replacement, so an answer is looked for after its question.
        head, rest = head + rest[:at] + new, rest[at + len(old) :]
    edited = head + rest
    diff = difflib.unified_diff(
        text.splitlines(keepends=True),
        edited.splitlines(keepends=True),
        fromfile=f"a/{record.path}",
        tofile=f"b/{record.path}",
    )
    return "".join(diff)
