"""Viewsets of the decks API: decks, notes, their cards, tags and import jobs.

Reads go through querysets built from the selectors' visibility rule; writes
go through recall.decks.services, the same functions the web pages call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import BaseSerializer

from recall.core.downloads import attachment_response
from recall.core.permissions import IsOwnerOrReadOnly
from recall.core.schema import RecallAutoSchema, business_rules
from recall.decks import extensions, services
from recall.decks.exporters import EXPORTERS
from recall.decks.models import Card, Deck, Note, Tag
from recall.decks.selectors import deck_listed_q, deck_readable_q
from recall.jobs.models import Job
from recall.jobs.selectors import jobs_owned_by

from . import examples as ex
from .filters import CardFilter, DeckFilter, NoteFilter
from .serializers import (
    CardBulkResultSerializer,
    CardBulkSerializer,
    CardSerializer,
    CopyUpdateSerializer,
    DeckImportSerializer,
    DeckSerializer,
    ImportPreviewSerializer,
    JobSerializer,
    NoteSerializer,
    TagSerializer,
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
CARD_RULES = business_rules(
    ("deck", 'Invalid pk "7" - object does not exist.'),
    ("question", "A card needs a question."),
    ("tags", "A tag cannot be empty."),
)
TAG_RULES = business_rules(
    ("name", "You already have a tag named 'orm'."),
    ("name", "A tag needs a name."),
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


@extend_schema_view(
    list=extend_schema(
        summary="List notes",
        description="Notes of your decks and of public decks; with `deck`, the notes of that "
        "deck if you may read it (unlisted included). Each note lists the cards it "
        "generates. Filter by tag and archived state; `q` matches question or answer text.",
        responses={200: NoteSerializer(many=True)},
        examples=[ex.response("notes", ex.page(ex.NOTE))],
    ),
    retrieve=extend_schema(summary="Read a note", examples=[ex.response("note", ex.NOTE)]),
    create=extend_schema(
        summary="Add a note to one of your decks",
        description="Its cards are made at once: one for a basic note, two for a reversed "
        "note, one per cloze number.",
        responses={201: NoteSerializer, 400: CARD_RULES},
        examples=[ex.NOTE_CREATE, ex.response("created", ex.NOTE, 201)],
    ),
    update=extend_schema(
        summary="Replace a note",
        responses={200: NoteSerializer, 400: CARD_RULES},
        examples=[ex.NOTE_CREATE, ex.response("note", ex.NOTE)],
    ),
    partial_update=extend_schema(
        summary="Change part of a note",
        description="Cards follow: a cloze number removed archives its card (its reviews "
        "are kept); one added makes a new card.",
        responses={200: NoteSerializer, 400: CARD_RULES},
        examples=[ex.NOTE_UPDATE, ex.response("note", {**ex.NOTE, "is_archived": True})],
    ),
    destroy=extend_schema(summary="Delete a note and its cards"),
)
class NoteViewSet(viewsets.ModelViewSet):
    serializer_class = NoteSerializer
    permission_classes = [IsOwnerOrReadOnly]
    owner_field = "deck.owner_id"
    filterset_class = NoteFilter
    ordering_fields = ["position", "created_at", "updated_at", "id"]
    ordering = ["deck_id", "position", "id"]
    queryset = Note.objects.none()

    def get_queryset(self) -> QuerySet[Note]:
        user = self.request.user
        notes = Note.objects.filter(deck_readable_q(user, prefix="deck__"))
        if self.action == "list":
            if not self.request.query_params.get("deck"):
                notes = notes.filter(deck_listed_q(user, prefix="deck__"))
            return notes.prefetch_related("tags", "cards")
        return notes.select_related("deck").prefetch_related("tags", "cards")

    def perform_create(self, serializer: BaseSerializer) -> None:
        note = services.note_create(**serializer.validated_data)
        serializer.instance = Note.objects.prefetch_related("tags", "cards").get(pk=note.pk)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        text = {k: data[k] for k in ("question", "answer", "tags") if k in data}
        other = {k: data[k] for k in ("kind", "position", "is_archived") if k in data}
        with transaction.atomic():
            note = services.note_update(note=cast(Note, serializer.instance), **text)
            services.note_set_fields(note=note, **other)
        serializer.instance = Note.objects.prefetch_related("tags", "cards").get(pk=note.pk)

    def perform_destroy(self, instance: Note) -> None:
        services.note_delete(note=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List cards",
        description="The cards (study prompts) of your decks and of public decks; with "
        "`deck` or `note`, those of that deck or note if you may read it. Filter by "
        "archived state and by your study state. The study endpoints take these ids.",
        examples=[ex.response("cards", ex.page(ex.CARD))],
    ),
    retrieve=extend_schema(summary="Read a card", examples=[ex.response("card", ex.CARD)]),
    partial_update=extend_schema(
        summary="Suspend, bury or flag a card",
        examples=[
            ex.CARD_UPDATE,
            ex.CARD_BURY,
            ex.response("card", {**ex.CARD, "suspended": True}),
        ],
    ),
)
class CardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CardSerializer
    permission_classes = [IsOwnerOrReadOnly]
    owner_field = "deck.owner_id"
    filterset_class = CardFilter
    ordering_fields = ["position", "ordinal", "created_at", "updated_at", "id"]
    ordering = ["deck_id", "position", "ordinal", "id"]
    queryset = Card.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Card]:
        user = self.request.user
        cards = Card.objects.filter(deck_readable_q(user, prefix="deck__"))
        if self.action == "list" and not (
            self.request.query_params.get("deck") or self.request.query_params.get("note")
        ):
            cards = cards.filter(deck_listed_q(user, prefix="deck__"))
        return cards.select_related("note", "deck")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        sort = self.request.query_params.get("sort", "")
        if self.action == "list" and sort:
            # The filterset validated it; sorted after OrderingFilter, which would replace it.
            # The study app owns the rule (recall.decks.extensions: decks never imports it).
            user = self.request.user if self.request.user.is_authenticated else None
            queryset = extensions.cards_sort(queryset, user, sort)
        return queryset

    @extend_schema(
        summary="One action on many of your cards",
        description="Suspend, unsuspend, tag, untag, move (to another of your decks) or "
        "delete the listed cards. Tags, moves and deletions act on the cards' notes (a "
        "reversed or cloze note's other cards go along). Ids of cards that are not yours "
        "are ignored; the answer says how many cards and notes were acted on.",
        request=CardBulkSerializer,
        responses={
            200: CardBulkResultSerializer,
            400: business_rules(
                ("", "choose at least one card"),
                ("", "name at least one tag"),
                ("", "choose a deck to move the cards to"),
                ("", "at most 1000 cards at once"),
            ),
            404: business_rules(("", "You have no such deck to move cards to."), code="not_found"),
        },
        examples=[ex.CARD_BULK, ex.response("done", {"action": "move", "cards": 3, "notes": 2})],
    )
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        # JSON only: a form post of a thousand ids would pass Django's field-count limit.
        parser_classes=[JSONParser],
        serializer_class=CardBulkSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def bulk(self, request: Request) -> Response:
        serializer = CardBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.cards_bulk(
            user=request.user,
            card_ids=data["cards"],
            action=data["action"],
            tags=data.get("tags", []),
            deck_id=data.get("deck"),
        )
        body = {"action": result.action, "cards": result.cards, "notes": result.notes}
        return Response(CardBulkResultSerializer(body).data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        card = services.card_set_flags(
            card=cast(Card, serializer.instance),
            suspended=data.get("suspended"),
            flagged=data.get("flagged"),
        )
        if data.get("buried") is not None:
            card = extensions.card_bury(self.request.user, card, data["buried"])
        serializer.instance = card


@extend_schema_view(
    list=extend_schema(summary="List your tags", examples=[ex.response("tags", ex.page(ex.TAG))]),
    retrieve=extend_schema(summary="Read a tag", examples=[ex.response("tag", ex.TAG)]),
    create=extend_schema(
        summary="Create a tag",
        responses={201: TagSerializer, 400: TAG_RULES},
        examples=[ex.TAG_CREATE, ex.response("created", ex.TAG, 201)],
    ),
    update=extend_schema(
        summary="Rename a tag",
        responses={200: TagSerializer, 400: TAG_RULES},
        examples=[ex.TAG_CREATE, ex.response("tag", ex.TAG)],
    ),
    partial_update=extend_schema(
        summary="Rename a tag",
        responses={200: TagSerializer, 400: TAG_RULES},
        examples=[ex.TAG_CREATE, ex.response("tag", ex.TAG)],
    ),
    destroy=extend_schema(summary="Delete a tag (its cards stay)"),
)
class TagViewSet(viewsets.ModelViewSet):
    serializer_class = TagSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = None
    ordering_fields = ["name", "card_count"]
    ordering = ["name"]
    queryset = Tag.objects.none()

    def get_queryset(self) -> QuerySet[Tag]:
        return Tag.objects.filter(owner_id=self.request.user.pk).annotate(card_count=Count("notes"))

    def perform_create(self, serializer: BaseSerializer) -> None:
        tag = services.tag_create(owner=self.request.user, name=serializer.validated_data["name"])
        tag.card_count = 0  # type: ignore[attr-defined]
        serializer.instance = tag

    def perform_update(self, serializer: BaseSerializer) -> None:
        tag = cast(Tag, serializer.instance)
        if "name" in serializer.validated_data:
            tag = services.tag_rename(tag=tag, name=serializer.validated_data["name"])
        serializer.instance = tag

    def perform_destroy(self, instance: Tag) -> None:
        services.tag_delete(tag=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List your background jobs", examples=[ex.response("jobs", ex.page(ex.JOB))]
    ),
    retrieve=extend_schema(
        summary="Read a job's status and progress",
        description="Poll this after an import: status goes pending → running → "
        "succeeded or failed; progress counts up to total.",
        examples=[ex.response("job", ex.JOB)],
    ),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "kind"]
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at", "-id"]
    queryset = Job.objects.none()

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_owned_by(self.request.user)


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


__all__ = ["CardViewSet", "DeckViewSet", "JobViewSet", "NoteViewSet", "TagViewSet"]
