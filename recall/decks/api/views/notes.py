"""Viewset of notes (their cards are read-only here)."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer

from recall.core.permissions import IsOwnerOrReadOnly
from recall.core.schema import business_rules
from recall.decks import services
from recall.decks.models import Note
from recall.decks.selectors import deck_listed_q, deck_readable_q

from .. import examples as ex
from ..filters import NoteFilter
from ..serializers import NoteSerializer

# Refusals of well-formed input: documented as the 400s of their operations.
CARD_RULES = business_rules(
    ("deck", 'Invalid pk "7" - object does not exist.'),
    ("question", "A card needs a question."),
    ("tags", "A tag cannot be empty."),
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
