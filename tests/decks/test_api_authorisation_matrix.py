"""Every deck/note/card endpoint (and interview mode's, which reads cards) x {owner, other user,
anonymous} x {private, unlisted, public}.

Reads: the owner and anyone for public/unlisted; another user's private deck is a 404.
Writes: the owner; a non-owner gets 404 on a private deck and 403 on a visible one;
anonymous writes are 401. No response to a non-owner may contain a private card's text.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_support import Seeded, token_client

ROLES = ["owner", "other", "anonymous"]
VISIBILITIES = ["private", "unlisted", "public"]


def _read(role: str, visibility: str, ok: int = 200) -> int:
    if role == "owner" or visibility != "private":
        return ok
    return 404


def _write(role: str, visibility: str, ok: int) -> int:
    if role == "anonymous":
        return 401
    if role == "owner":
        return ok
    return 404 if visibility == "private" else 403


def _copy(role: str, visibility: str) -> int:
    if role == "anonymous":
        return 401
    return _read(role, visibility, ok=201)


def _card_create(role: str, visibility: str) -> int:
    if role == "anonymous":
        return 401
    if role == "owner":
        return 201
    # The deck is named in the body: someone else's private deck is "no such deck".
    return 400 if visibility == "private" else 403


def _bulk(role: str, visibility: str) -> int:
    return 401 if role == "anonymous" else 200


class Id(str):
    """A body value filled with the id itself (an integer), for endpoints that type it."""


def _signed_in_read(ok: int):
    """Interview mode: signed-in users only, on decks they may read."""

    def expected(role: str, visibility: str) -> int:
        return 401 if role == "anonymous" else _read(role, visibility, ok)

    return expected


# (name, method, url template, body, expected(role, visibility))
ENDPOINTS: list[tuple[str, str, str, dict | None, Any]] = [
    ("deck-detail", "get", "/api/v1/decks/{deck}/", None, _read),
    ("deck-export-md", "get", "/api/v1/decks/{deck}/export/?format=md", None, _read),
    ("deck-export-default", "get", "/api/v1/decks/{deck}/export/", None, _read),
    ("deck-notes", "get", "/api/v1/notes/?deck={deck}", None, lambda r, v: 200),
    ("note-detail", "get", "/api/v1/notes/{note}/", None, _read),
    ("deck-cards", "get", "/api/v1/cards/?deck={deck}", None, lambda r, v: 200),
    ("note-cards", "get", "/api/v1/cards/?note={note}", None, lambda r, v: 200),
    ("card-detail", "get", "/api/v1/cards/{card}/", None, _read),
    (
        "card-suspend",
        "patch",
        "/api/v1/cards/{card}/",
        {"suspended": True},
        lambda r, v: _write(r, v, 200),
    ),
    (
        "deck-patch",
        "patch",
        "/api/v1/decks/{deck}/",
        {"description": "changed"},
        lambda r, v: _write(r, v, 200),
    ),
    (
        "deck-put",
        "put",
        "/api/v1/decks/{deck}/",
        {"title": "Renamed", "slug": "renamed"},
        lambda r, v: _write(r, v, 200),
    ),
    ("deck-delete", "delete", "/api/v1/decks/{deck}/", None, lambda r, v: _write(r, v, 204)),
    ("deck-copy", "post", "/api/v1/decks/{deck}/copy/", None, _copy),
    # The seeded decks are no copies: the owner is told so (400), others as for any write.
    (
        "deck-update-copy",
        "post",
        "/api/v1/decks/{deck}/update-copy/",
        None,
        lambda r, v: _write(r, v, 400),
    ),
    (
        "note-patch",
        "patch",
        "/api/v1/notes/{note}/",
        {"answer": "changed"},
        lambda r, v: _write(r, v, 200),
    ),
    (
        "note-put",
        "put",
        "/api/v1/notes/{note}/",
        {"question": "Q?", "answer": "A"},
        lambda r, v: _write(r, v, 200),
    ),
    ("note-delete", "delete", "/api/v1/notes/{note}/", None, lambda r, v: _write(r, v, 204)),
    ("note-create", "post", "/api/v1/notes/", {"deck": "{deck}", "question": "New?"}, _card_create),
    # Bulk actions take any ids: someone else's are ignored (200, nothing done; see
    # test_bulk_by_a_non_owner_changes_nothing), anonymous callers are refused.
    (
        "cards-bulk",
        "post",
        "/api/v1/cards/bulk/",
        {"action": "suspend", "cards": [Id("card")]},
        _bulk,
    ),
    (
        "interview-score",
        "post",
        "/api/v1/interview/score/",
        {"card": Id("card"), "answer": "It is explained with code."},
        _signed_in_read(200),
    ),
    (
        "interview-record",
        "post",
        "/api/v1/interview/record/",
        {"card": Id("card"), "answer": "It is explained with code.", "grade": 3},
        _signed_in_read(200),
    ),
    (
        "interview-session",
        "post",
        "/api/v1/interview/sessions/",
        {"decks": [Id("deck")], "questions": 1},
        _signed_in_read(201),
    ),
]


def _client(role: str, seeded: Seeded, anon_client):
    if role == "owner":
        return token_client(seeded.owner)
    if role == "other":
        return token_client(seeded.other)
    return anon_client


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, Id):
        return ids[str(value)]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_endpoint_status_by_role_and_visibility(
    seeded: Seeded, anon_client, role, visibility, name, method, url, body, expected
):
    client = _client(role, seeded, anon_client)
    ids = {
        "deck": seeded.decks[visibility].pk,
        "note": seeded.notes[visibility].pk,
        "card": seeded.cards[visibility].pk,
    }
    response = getattr(client, method)(_fill(url, ids), data=_fill(body, ids), format="json")

    assert response.status_code == expected(role, visibility), response.content[:300]
    if role != "owner":
        secret = seeded.cards["private"].question.encode()
        assert secret not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["suspend", "tag", "move", "delete"])
def test_bulk_by_a_non_owner_changes_nothing(seeded: Seeded, action):
    from recall.decks.models import Card, Deck

    cards = [card.pk for card in seeded.cards.values()]
    own = Deck.objects.create(owner=seeded.other, title="Mine", slug="mine")
    body = {"action": action, "cards": cards, "tags": ["x"], "deck": own.pk}
    response = token_client(seeded.other).post("/api/v1/cards/bulk/", body, format="json")
    assert response.status_code == 200 and response.json()["cards"] == 0
    assert Card.objects.filter(pk__in=cards, suspended=False, deck__owner=seeded.owner).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_lists_and_searches_never_leak_private_cards(
    seeded: Seeded, anon_client, role, django_capture_on_commit_callbacks
):
    # The search index is updated after commit: save the cards again and run those hooks.
    with django_capture_on_commit_callbacks(execute=True):
        for note in seeded.notes.values():
            note.save()
    client = _client(role, seeded, anon_client)
    secret = seeded.cards["private"].question
    urls = [
        "/api/v1/decks/",
        "/api/v1/notes/",
        "/api/v1/notes/?q=Secret",
        "/api/v1/notes/?tag=django",
        f"/api/v1/notes/?deck={seeded.decks['private'].pk}",
        "/api/v1/cards/",
        f"/api/v1/cards/?deck={seeded.decks['private'].pk}",
        f"/api/v1/cards/?note={seeded.notes['private'].pk}",
        "/api/v1/decks/?q=private",
        # Full-text search (the search app's endpoint) obeys the same rule.
        "/api/v1/search/?q=Secret",
        "/api/v1/search/?q=question",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if role == "owner":
            continue
        assert secret.encode() not in response.content, url

    # The owner does find the private card, so the searches above could have leaked it.
    found_by_owner = token_client(seeded.owner).get("/api/v1/search/?q=Secret")
    assert secret.encode() in found_by_owner.content

    listed = {d["id"] for d in client.get("/api/v1/decks/").json()["results"]}
    if role == "owner":
        assert listed == {d.pk for d in seeded.decks.values()}
    else:
        # Unlisted decks are readable by id but never listed.
        assert listed == {seeded.decks["public"].pk}
