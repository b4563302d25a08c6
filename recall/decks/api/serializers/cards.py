"""Serializers of cards: their flags, and bulk actions of the card browser."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recall.core.ids import MAX_ID
from recall.decks.models import Card
from recall.decks.prompts import prompt_label
from recall.decks.services.cards import BULK_ACTIONS, MAX_BULK_CARDS

from .fields import TagNamesField


class CardSerializer(serializers.ModelSerializer):
    """A card: one prompt of a note, the unit that is studied (its text comes from the note).

    Only the flags change here: ``suspended`` keeps the card out of study, ``flagged``
    marks it for the owner. The text is the note's: edit it at /api/v1/notes/.
    """

    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    buried = serializers.BooleanField(
        required=False,
        help_text="Write true to bury the card until your next study day, false to unbury it; "
        "reads whether it is buried now.",
    )

    class Meta:
        model = Card
        fields = [
            "id",
            "note",
            "deck",
            "ordinal",
            "label",
            "question",
            "answer",
            "question_html",
            "answer_html",
            "is_archived",
            "suspended",
            "flagged",
            "buried",
            "buried_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "buried_until",
            "note",
            "deck",
            "ordinal",
            "question",
            "answer",
            "question_html",
            "answer_html",
            "is_archived",
            "created_at",
            "updated_at",
        ]

    def get_label(self, card: Card) -> str:
        return prompt_label(card.note.kind, card.ordinal)

    def to_representation(self, instance: Card) -> dict[str, Any]:
        data = super().to_representation(instance)
        # A time that has passed is no burial any more: the card is back in study.
        if not data["buried"]:
            data["buried_until"] = None
        return data


class CardBulkSerializer(serializers.Serializer):
    """One action on many of your cards (``recall.decks.services.cards_bulk``)."""

    action = serializers.ChoiceField(choices=list(BULK_ACTIONS))
    cards = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_BULK_CARDS,
        help_text="Card ids; those of cards that are not yours are ignored.",
    )
    tags = TagNamesField(required=False, help_text="For tag and untag: tag names.")
    deck = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="For move: one of your decks."
    )


class CardBulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    cards = serializers.IntegerField(
        help_text="Cards changed (suspend, unsuspend), or cards of the notes acted on."
    )
    notes = serializers.IntegerField(help_text="Notes tagged, untagged, moved or deleted.")
