"""Serializers of decks: their settings, copies and copy updates."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recall.decks.models import Deck

from .fields import MAX_PER_DAY, request_user


class DeckSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    is_owner = serializers.SerializerMethodField()
    card_count = serializers.IntegerField(
        read_only=True, help_text="Cards in the deck, archived ones excluded."
    )
    slug = serializers.SlugField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Short name, unique among your decks; made from the title when left empty.",
    )
    new_cards_per_day = serializers.IntegerField(min_value=0, max_value=MAX_PER_DAY, default=20)
    reviews_per_day = serializers.IntegerField(min_value=0, max_value=MAX_PER_DAY, default=200)
    bury_siblings = serializers.BooleanField(
        default=True,
        help_text="Once one card of a note is answered, its other cards wait until the next "
        "study day.",
    )

    class Meta:
        model = Deck
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "visibility",
            "owner",
            "is_owner",
            "card_count",
            "source_name",
            "new_cards_per_day",
            "reviews_per_day",
            "bury_siblings",
            "import_options",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "source_name",
            "import_options",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "import_options": {
                "help_text": "The import options its last import used (only those that "
                "differ from the defaults); a re-import starts from them."
            }
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_owner(self, deck: Deck) -> bool:
        return bool(deck.owner_id == request_user(self).pk)

    def validate_title(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A deck needs a title.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The slug defaults to the title's, and must be free among the owner's decks.
        slug = attrs.get("slug")
        if not slug and (self.instance is None or "slug" in attrs):
            title = attrs.get("title") or (self.instance.title if self.instance else "")
            slug = slugify(title)[:200]
            if not slug:
                raise serializers.ValidationError(
                    {"slug": ["Give a slug made of letters or digits: the title has none."]}
                )
        if slug:
            owner = self.instance.owner if self.instance else request_user(self)
            clash = Deck.objects.filter(owner=owner, slug=slug)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"slug": [f"You already have a deck with the slug '{slug}'."]}
                )
            attrs["slug"] = slug
        return attrs


class DeckCopySerializer(serializers.Serializer):
    """Nothing to send: the copy belongs to the requesting user."""


class CopyUpdateSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Notes new in the original, added.")
    updated = serializers.IntegerField(help_text="Notes the author changed, updated.")
    archived = serializers.IntegerField(help_text="Notes the author removed, archived.")
