"""Viewset of decks: settings, copies, imports and exports.

Reads go through querysets built from the selectors' visibility rule; writes go through
recall.decks.services, the same functions the web pages call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import BaseSerializer

from recall.core.downloads import attachment_response
from recall.core.permissions import IsOwnerOrReadOnly
from recall.core.schema import RecallAutoSchema, business_rules
from recall.decks import services
from recall.decks.exporters import EXPORTERS
from recall.decks.models import Deck
from recall.decks.selectors import deck_listed_q, deck_readable_q
from recall.jobs.api.serializers import JobSerializer

from .. import examples as ex
from ..filters import DeckFilter
from ..serializers import (
    CopyUpdateSerializer,
    DeckImportSerializer,
    DeckSerializer,
    ImportPreviewSerializer,
)


class DeckSchema(RecallAutoSchema):
    """Documents the export formats from the exporter registry when the schema is built.

    Formats register themselves at import time, so reading the registry at class
    definition could miss some.
    """

    def _export_formats(self) -> dict[str, Any]:
        return EXPORTERS

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if getattr(self.view, "action", None) == "export":
            params.append(
                OpenApiParameter(
                    "format",
                    OpenApiTypes.STR,
                    enum=sorted(self._export_formats()),
                    description="File format; md when left out.",
                )
            )
        return params

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if getattr(self.view, "action", None) == "export":
            content = {}
            for exporter in self._export_formats().values():
                media_type = exporter.content_type.split(";")[0].strip()
                content[media_type] = {"schema": {"type": "string", "format": "binary"}}
            labels = ", ".join(e.label for e in self._export_formats().values())
            description = f"The deck as a file ({labels})."
            responses["200"] = {"description": description, "content": content}
        return responses


# Refusals of well-formed input: documented as the 400s of their operations.
DECK_RULES = business_rules(
    ("title", "A deck needs a title."),
    ("slug", "You already have a deck with the slug 'django'."),
    ("slug", "Give a slug made of letters or digits: the title has none."),
)


@extend_schema_view(
    list=extend_schema(
        summary="List decks",
        description="Your decks and everyone's public decks. Unlisted decks of other "
        "users are readable by id but never listed.",
        examples=[ex.response("decks", ex.page(ex.DECK))],
    ),
    retrieve=extend_schema(
        summary="Read a deck",
        description="Your deck, or anyone's public or unlisted deck.",
        examples=[ex.response("deck", ex.DECK)],
    ),
    create=extend_schema(
        summary="Create a deck",
        responses={201: DeckSerializer, 400: DECK_RULES},
        examples=[ex.DECK_CREATE, ex.response("created", ex.DECK, 201)],
    ),
    update=extend_schema(
        summary="Replace a deck's settings",
        responses={200: DeckSerializer, 400: DECK_RULES},
        examples=[ex.DECK_CREATE, ex.response("deck", ex.DECK)],
    ),
    partial_update=extend_schema(
        summary="Change some of a deck's settings",
        responses={200: DeckSerializer, 400: DECK_RULES},
        examples=[ex.DECK_UPDATE, ex.response("deck", ex.DECK)],
    ),
    destroy=extend_schema(
        summary="Delete a deck and its cards",
        description="Only the owner may delete; the review history of the cards goes too.",
    ),
)
class DeckViewSet(viewsets.ModelViewSet):
    schema = DeckSchema()
    serializer_class = DeckSerializer
    permission_classes = [IsOwnerOrReadOnly]
    filterset_class = DeckFilter
    ordering_fields = ["title", "created_at", "updated_at", "card_count"]
    ordering = ["title", "id"]
    queryset = Deck.objects.none()  # for the schema; get_queryset decides per user

    def get_queryset(self) -> QuerySet[Deck]:
        user = self.request.user
        visible = deck_listed_q(user) if self.action == "list" else deck_readable_q(user)
        return (
            Deck.objects.filter(visible)
            .select_related("owner")
            .annotate(card_count=Count("cards", filter=Q(cards__is_archived=False)))
        )

    def get_permissions(self) -> Sequence[Any]:
        if self.action in ("copy", "import_file"):
            # Copying writes a new deck of the requester's own, never the one read.
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        if self.action == "export":
            # `?format=` names the export format here, not one of DRF's renderers.
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        options = ("new_cards_per_day", "reviews_per_day", "bury_siblings")
        limits = {k: data.pop(k) for k in options if k in data}
        with transaction.atomic():
            deck = services.deck_create(owner=self.request.user, **data)
            deck = services.deck_update(deck=deck, **limits)
        deck.card_count = 0  # type: ignore[attr-defined]
        serializer.instance = deck

    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.deck_update(
            deck=cast(Deck, serializer.instance), **serializer.validated_data
        )

    def perform_destroy(self, instance: Deck) -> None:
        services.deck_delete(deck=instance)

    @extend_schema(
        summary="Copy a deck into your decks",
        description="Copies a public or unlisted deck (or one of yours) with all its cards; "
        "the copy is private and records where it came from. A deck you already copied is "
        "not copied again (409): POST /api/v1/decks/{copy}/update-copy/ updates your copy.",
        request=None,
        responses={
            201: DeckSerializer,
            400: business_rules(("", "only public or unlisted decks can be copied")),
            409: business_rules(
                ("", "you already have a copy of this deck (deck 12); update it instead"),
                code="already_copied",
            ),
        },
        examples=[ex.response("the copy", {**ex.DECK, "visibility": "private", "copied_from": 7})],
    )
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        copy = services.deck_copy(deck=self.get_object(), owner=request.user)
        copy.card_count = copy.cards.filter(is_archived=False).count()  # type: ignore[attr-defined]
        data = DeckSerializer(copy, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Bring the author's changes into your copy",
        description="On a deck you copied: notes new in the original are added, notes the "
        "author changed take the author's version (their cards, schedules and your review "
        "history are kept), notes the author removed are archived. Notes you wrote, and "
        "notes you changed that the author did not, are left alone.",
        request=None,
        responses={
            200: CopyUpdateSerializer,
            400: business_rules(("", "this deck is not a copy of a deck you can read")),
        },
        examples=[ex.response("updated", {"created": 2, "updated": 1, "archived": 0})],
    )
    @action(detail=True, methods=["post"], url_path="update-copy", filterset_class=None)
    def update_copy(self, request: Request, pk: str | None = None) -> Response:
        result = services.deck_copy_update(copy=self.get_object(), user=request.user)
        body = {"created": result.created, "updated": result.updated, "archived": result.archived}
        return Response(CopyUpdateSerializer(body).data)

    @extend_schema(
        summary="Import a notes file",
        description="Upload a notes file as multipart/form-data. The import runs in the "
        "background: the answer is 202 with a job to poll at /api/v1/jobs/{id}/. "
        "Import options not sent come from the deck's last import (else the defaults), and "
        "the deck remembers those used. With `?dry_run=1` nothing is written: the answer "
        "is 200 with a preview (per file: cards by syntax, skipped lines and why).",
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                description="Preview only: read the file, write nothing, answer 200.",
            )
        ],
        request={"multipart/form-data": DeckImportSerializer},
        responses={
            200: ImportPreviewSerializer,
            202: JobSerializer,
            400: business_rules(
                ("", "notes.pdf: unsupported file type (.pdf); use one of .apkg, .csv, .md"),
                ("", "you have no deck 'django' to import notes.md into"),
                ("file", "The file is 30.0 MB; the limit is 20.0 MB."),
                ("inline_separator", "Ensure this field has no more than 8 characters."),
                code="import_rejected",
            ),
        },
        examples=[
            ex.response("job", {**ex.JOB, "status": "pending", "progress": 0}, 202),
            ex.response("preview (dry_run=1)", ex.IMPORT_PREVIEW),
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=DeckImportSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def import_file(self, request: Request) -> Response:
        serializer = DeckImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if _is_true(request.query_params.get("dry_run")):
            preview = services.upload_preview(
                owner=request.user,
                uploaded_file=serializer.validated_data["file"],
                deck_slug=serializer.validated_data["deck_slug"],
                options=serializer.options(),
            )
            return Response(preview.as_dict(), status=status.HTTP_200_OK)
        job = services.job_create_import(
            owner=request.user,
            uploaded_file=serializer.validated_data["file"],
            deck_slug=serializer.validated_data["deck_slug"],
            options=serializer.options(),
        )
        location = reverse("api:job-detail", kwargs={"pk": job.pk}, request=request)
        return Response(
            JobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )

    @extend_schema(
        summary="Export a deck",
        description="Downloads the deck as a file (Content-Disposition: attachment). "
        "Markdown round-trips losslessly through import; CSV and Anki .apkg are for "
        "other tools. The formats are those of the exporter registry.",
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        deck = self.get_object()
        fmt = request.query_params.get("format") or "md"
        exported = services.deck_export(deck=deck, fmt=fmt)
        return attachment_response(
            content=exported.content,
            content_type=exported.content_type,
            filename=exported.filename,
        )


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
