"""What the decks API's serializers share: limits, the requesting user, tags by name and
the card text limit."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recall.decks import tags as tag_rules
from recall.decks.limits import FieldTooLong, check_card_text
from recall.decks.tags import TAG_MAX_LENGTH

MAX_PER_DAY = 99999
MAX_POSITION = 2**31 - 1
MAX_TAGS_PER_CARD = 50


def request_user(serializer: serializers.BaseSerializer) -> Any:
    return serializer.context["request"].user


class TagNamesField(serializers.ListField):
    """Tags by name: a list of strings in and out; unknown names are created for the owner."""

    child = serializers.CharField(max_length=TAG_MAX_LENGTH)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TAGS_PER_CARD)
        super().__init__(**kwargs)

    def to_representation(self, data: Any) -> list[str]:
        # `.all()` is served by the viewset's prefetch_related("tags").
        return [tag.name for tag in data.all()]

    def to_internal_value(self, data: Any) -> list[str]:
        names = super().to_internal_value(data)
        # Looked up on the module so the one rule stays swappable (tests prove every entry
        # point follows it).
        try:
            cleaned = tag_rules.tag_names_clean(names, strict=True)
        except tag_rules.TagNameTooLong as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return cleaned


def within_field_limit(text: str, field: str) -> str:
    try:
        check_card_text(text, field=field)
    except FieldTooLong as exc:
        raise serializers.ValidationError(exc.message[:1].upper() + exc.message[1:]) from None
    return text
