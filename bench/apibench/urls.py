"""URLs of the API benchmark: the real API, plus a comparison view that exists only here.

- ``/bench/cards-plain/``: a hand-written JsonResponse view returning the same page of cards,
  the baseline the DRF endpoint is measured against.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.utils import timezone

from recall.accounts.tokens import api_token_authenticate
from recall.decks.api.serializers import note_cards
from recall.decks.models import Note, Tag
from recall.decks.selectors import deck_readable_q


def _iso(value: Any) -> str:
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def cards_plain(request: HttpRequest) -> HttpResponse:
    """What a careful hand-written view does: same auth, same queries, dicts built inline."""
    header = request.headers.get("Authorization", "")
    token = api_token_authenticate(header.removeprefix("Token ")) if header else None
    if token is None:
        return JsonResponse({"error": {"code": "not_authenticated"}}, status=401)
    cards = (
        Note.objects.filter(deck_readable_q(token.user, prefix="deck__"))
        .filter(deck_id=int(request.GET["deck"]))
        .order_by("deck_id", "position", "id")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")), "cards")
    )
    page = Paginator(cards, int(request.GET.get("page_size", 50))).page(1)
    results = [
        {
            "id": c.pk,
            "deck": c.deck_id,
            "position": c.position,
            "kind": c.kind,
            "cards": note_cards(c),
            "question": c.question,
            "answer": c.answer,
            "question_html": c.question_html,
            "answer_html": c.answer_html,
            "tags": [t.name for t in c.tags.all()],
            "is_archived": c.is_archived,
            "source_file": c.source_file,
            "source_line": c.source_line,
            "created_at": _iso(c.created_at),
            "updated_at": _iso(c.updated_at),
        }
        for c in page.object_list
    ]
    next_url = None
    if page.has_next():
        query = request.GET.copy()
        query["page"] = str(page.next_page_number())
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return JsonResponse(
        {"count": page.paginator.count, "next": next_url, "previous": None, "results": results}
    )


urlpatterns = [
    path("api/v1/", include("config.api_router")),
    path("bench/cards-plain/", cards_plain),
]
