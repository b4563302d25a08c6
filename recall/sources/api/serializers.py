"""Serializers of the sources API: a source (its secret write-only) and its sync runs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recall.decks.api.serializers import ImportOptionsSerializer

from .. import services
from ..models import Source, SyncRun


class SyncRunSerializer(serializers.ModelSerializer[SyncRun]):
    class Meta:
        model = SyncRun
        fields = [
            "id",
            "status",
            "trigger",
            "job",
            "previous_commit",
            "commit",
            "files_changed",
            "created",
            "updated",
            "archived",
            "unchanged",
            "decks_archived",
            "warnings",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class SourceImportOptionsSerializer(ImportOptionsSerializer):
    """How every file of the source is read; those not given are the defaults (and only
    the settings that differ from the defaults are shown)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return dict(instance or {})


class SourceSerializer(serializers.ModelSerializer[Source]):
    # Write-only: a credential is never shown again, only whether one is set.
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )
    has_credential = serializers.BooleanField(read_only=True)
    import_options = SourceImportOptionsSerializer(required=False)

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "branch",
            "subfolder",
            "glob",
            "forge",
            "username",
            "secret",
            "has_credential",
            "interval_minutes",
            "enabled",
            "import_options",
            "last_commit",
            "last_synced_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = ["last_commit", "last_synced_at", "last_error", "created_at"]
        # Uniqueness of the name is the service's rule (one message for web and API).
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> Source:
        return services.source_create(owner=self.context["request"].user, **validated_data)

    def update(self, instance: Source, validated_data: dict[str, Any]) -> Source:
        validated_data.pop("kind", None)  # a source does not change kind
        secret = validated_data.pop("secret", None)
        return services.source_update(source=instance, secret=secret, **validated_data)
