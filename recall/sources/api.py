"""REST API of sources: add, list, change, remove, "sync now", and each source's sync history."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .models import Source, SyncRun


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


class SourceSerializer(serializers.ModelSerializer[Source]):
    # Write-only: a credential is never shown again, only whether one is set.
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )
    has_credential = serializers.BooleanField(read_only=True)

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


class SourceViewSet(viewsets.ModelViewSet):
    """A user's note sources; each file of a source is kept in sync with one deck."""

    serializer_class = SourceSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Source.objects.none()

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.sources_for(self.request.user)

    def perform_destroy(self, instance: Source) -> None:
        services.source_delete(source=instance)

    @extend_schema(request=None, responses={202: SyncRunSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Sync now: queues a sync, or returns the one already waiting or running."""
        run = services.sync_request(source=self.get_object())
        return Response(SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: SyncRunSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The source's sync history, newest first."""
        page = self.paginate_queryset(selectors.source_runs(self.get_object()))
        data = SyncRunSerializer(page, many=True).data
        return self.get_paginated_response(data)
