"""The search endpoint of the API: GET /api/v1/search/?q=..., paginated like every list."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recall.core.pagination import StandardPagination
from recall.core.schema import NOT_BLANK_TEXT_PATTERN, business_rules, error_response

from ..query import MAX_QUERY_LENGTH, MAX_TERMS
from ..selectors import MAX_PAGE, MODES, SearchResults, default_mode, search_cards
from .serializers import SearchHitSerializer, SearchParamsSerializer, SearchResponseSerializer


class _SearchWindow:
    """A sized, sliceable view of search results, so the project's paginator can page it.

    Only the page asked for is fetched: the backend returns the total with it.
    """

    def __init__(self, run: Any, page: int, page_size: int) -> None:
        self.run, self.page_size, self.first_page = run, page_size, page
        self.results: SearchResults | None = None

    def _fetch(self, page: int) -> SearchResults:
        self.results = self.run(page, self.page_size)
        return self.results

    def count(self) -> int:
        results = self.results or self._fetch(self.first_page)
        return results.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Any]:
        page = (window.start or 0) // self.page_size + 1
        results = self.results
        if results is None or results.page != page:
            results = self._fetch(page)
        return list(results.hits)


EXAMPLE_RESPONSE = {
    "count": 1,
    "count_exact": True,
    "next": None,
    "previous": None,
    "query": "select_related deck:django",
    "mode": "lexical",
    "corrected_query": "",
    "results": [
        {
            "card_id": 42,
            "score": 7.3,
            "question": "What does select_related do?",
            "question_snippet": "What does <mark>select_related</mark> do?",
            "answer_snippet": "It follows foreign keys with a SQL JOIN…",
            "deck": {"id": 3, "slug": "django", "title": "Django"},
            "url": "/cards/42/",
        }
    ],
}


class SearchAPIView(APIView):
    """Full-text search over your own decks and other people's public decks."""

    permission_classes = [permissions.AllowAny]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="search",
        summary="Search cards",
        description=(
            'Query language: words (all must match), "phrases", -exclusion, prefix*, '
            "deck:slug, tag:name. Code tokens such as select_related, __init__, asgi.py "
            "and @classmethod are matched whole. Anonymous users search public decks."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_QUERY_LENGTH,
                    "pattern": NOT_BLANK_TEXT_PATTERN,
                },
                required=True,
                description="The query, at most 500 characters.",
                examples=[
                    OpenApiExample("words", value="signals post_save"),
                    OpenApiExample("code token", value="select_related"),
                    OpenApiExample("phrase and exclusion", value='"class based view" -celery'),
                    OpenApiExample("prefix and filters", value="migrat* deck:django tag:orm"),
                ],
            ),
            OpenApiParameter("deck", OpenApiTypes.STR, description="Only this deck (its slug)."),
            OpenApiParameter("tag", OpenApiTypes.STR, description="Only cards with this tag."),
            OpenApiParameter(
                "mode",
                {"type": "string", "enum": list(MODES)},
                description=(
                    "lexical: the words (all must match); semantic: nearest notes by meaning; "
                    "hybrid: both, fused by reciprocal rank (notes with every word weigh as "
                    "much as meaning, notes with some of them less). Default: hybrid when the "
                    "semantic extra is installed, else lexical (semantic and hybrid then "
                    "answer 400)."
                ),
            ),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                description=f"Page number, from 1 to {MAX_PAGE}.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1},
                description="Hits per page, from 1; larger values give 200.",
            ),
        ],
        responses={
            200: SearchResponseSerializer,
            400: business_rules(
                ("", "Type at least one word to search for."),
                ("", "Add at least one word to search for, not only exclusions."),
                ("", f"too many search terms (at most {MAX_TERMS})"),
                code="invalid_query",
            ),
            404: error_response(404, "A page past the last one."),
        },
        examples=[OpenApiExample("one hit", value=EXAMPLE_RESPONSE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        paginator = self.pagination_class()
        page_size = paginator.get_page_size(request)
        number = paginator.get_page_number(request, None)
        page = number if isinstance(number, int) else 1  # "last": the window finds it

        def run(page: int, page_size: int) -> SearchResults:
            return search_cards(
                user=request.user,
                query=data["q"],
                page=page,
                page_size=page_size,
                deck_slug=data.get("deck") or None,
                tag=data.get("tag") or None,
                mode=data.get("mode") or None,
            )

        window = _SearchWindow(run, page, page_size)
        hits: list[Any] = paginator.paginate_queryset(window, request, view=self) or []  # type: ignore[arg-type]
        response = paginator.get_paginated_response(SearchHitSerializer(hits, many=True).data)
        results = window.results
        response.data["count_exact"] = results.total_exact if results else True
        response.data["query"] = data["q"]
        response.data["mode"] = results.mode if results else data.get("mode") or default_mode()
        response.data["corrected_query"] = results.corrected_query if results else ""
        return response
