"""Serializer of tags."""

from __future__ import annotations

from rest_framework import serializers

from recall.decks import tags as tag_rules
from recall.decks.models import Tag
from recall.decks.tags import TAG_MAX_LENGTH

from .fields import request_user


class TagSerializer(serializers.ModelSerializer):
    card_count = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=TAG_MAX_LENGTH)

    class Meta:
        model = Tag
        fields = ["id", "name", "card_count"]

    def validate_name(self, value: str) -> str:
        # The one tag rule (spaces become hyphens...), so the clash is checked on the name
        # that would be stored.
        try:
            cleaned = tag_rules.tag_names_clean([value], strict=True)
        except tag_rules.TagNameTooLong as exc:
            raise serializers.ValidationError(str(exc)) from None
        value = cleaned[0] if cleaned else ""
        if not value:
            raise serializers.ValidationError("A tag needs a name.")
        clash = Tag.objects.filter(owner=request_user(self), name=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f"You already have a tag named '{value}'.")
        return value
