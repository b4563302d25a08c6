"""Serializer of background jobs."""

from __future__ import annotations

from rest_framework import serializers

from recall.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    # A plain id column on the job (jobs sit below decks), shown as the deck's id as before.
    deck = serializers.IntegerField(source="deck_id", read_only=True, allow_null=True)
    target_deck_slug = serializers.CharField(
        read_only=True, help_text="The deck the import was aimed at; empty for a new deck."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "filename",
            "target_deck_slug",
            "import_options",
            "deck",
            "progress",
            "total",
            "message",
            "result",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
