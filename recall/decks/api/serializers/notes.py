"""Serializers of notes and the cards each generates."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from recall.decks.models import CardKind, Deck, Note
from recall.decks.prompts import prompt_label
from recall.decks.selectors import deck_is_readable

from .fields import MAX_POSITION, TagNamesField, request_user, within_field_limit


class NoteCardSerializer(serializers.Serializer):
    """One card of a note, as listed with the note."""

    id = serializers.IntegerField()
    ordinal = serializers.IntegerField(help_text="1 forward, 2 backward, or the cloze number.")
    # The metaclass takes declared fields off the class: no clash with Field.label.
    label = serializers.CharField(help_text='"forward", "backward" or "cloze N".')  # type: ignore[assignment]
    is_archived = serializers.BooleanField()


def note_cards(note: Note) -> list[dict[str, Any]]:
    """The note's cards, from its prefetched ``cards`` (ordinal order)."""
    return [
        {
            "id": card.pk,
            "ordinal": card.ordinal,
            "label": prompt_label(note.kind, card.ordinal),
            "is_archived": card.is_archived,
        }
        for card in sorted(note.cards.all(), key=lambda c: c.ordinal)
    ]


class NoteSerializer(serializers.ModelSerializer):
    """A note, read and written; the HTML is rendered by the server from the Markdown.

    ``cards`` lists the cards the note generates (read-only): one for a basic note, two
    for a reversed one, one per cloze number. Studying and grading use the card ids.
    """

    deck = serializers.PrimaryKeyRelatedField(
        queryset=Deck.objects.all(), help_text="The deck (yours) the note belongs to."
    )
    tags = TagNamesField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
    # Their length limit (RECALL_MAX_FIELD_KB, in UTF-8 bytes) is checked below.
    question = serializers.CharField()
    answer = serializers.CharField(allow_blank=True, required=False)
    kind = serializers.ChoiceField(choices=CardKind.choices, required=False)
    cards = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "deck",
            "position",
            "kind",
            "cards",
            "question",
            "answer",
            "question_html",
            "answer_html",
            "tags",
            "is_archived",
            "source_file",
            "source_line",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "question_html",
            "answer_html",
            "source_file",
            "source_line",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(NoteCardSerializer(many=True))
    def get_cards(self, note: Note) -> list[dict[str, Any]]:
        return note_cards(note)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # A note stays in its deck: moving it is a copy, not an edit.
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["deck"].read_only = True
        return fields

    def validate_question(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A note needs a question.")
        return within_field_limit(value, "question")

    def validate_answer(self, value: str) -> str:
        return within_field_limit(value, "answer")

    def validate_deck(self, deck: Deck) -> Deck:
        user = request_user(self)
        if deck.owner_id != user.pk:
            if not deck_is_readable(user, deck):
                # Someone else's private deck does not exist, as far as this user knows.
                raise serializers.ValidationError(
                    f'Invalid pk "{deck.pk}" - object does not exist.'
                )
            # Visible but not theirs: refused like any other write to it (403, not 400).
            raise exceptions.PermissionDenied("You can only add notes to your own decks.")
        return deck
