"""Views of the sources API: add, list, change, remove, "sync now", and each source's sync
history."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from recall.core.schema import business_rules
from recall.decks.api import examples as ex

from .. import selectors, services
from ..models import Source
from .serializers import SourceSerializer, SyncRunSerializer

SOURCE = {
    "id": 3,
    "name": "Revision notes",
    "kind": "git",
    "url": "https://github.com/ada/revision-notes.git",
    "branch": "main",
    "subfolder": "notes",
    "glob": "**/*.md",
    "forge": "auto",
    "username": "",
    "has_credential": True,
    "interval_minutes": 15,
    "enabled": True,
    "import_options": {"inline_separator": ":="},
    "last_commit": "9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6",
    "last_synced_at": "2026-01-06T18:02:11Z",
    "last_error": "",
    "created_at": "2026-01-05T09:30:00Z",
}
SOURCE_CREATE = ex.request(
    "add a repository",
    {
        "name": "Revision notes",
        "url": "https://github.com/ada/revision-notes.git",
        "subfolder": "notes",
        "secret": "a deploy token (write-only)",
    },
)
RUN = {
    "id": 12,
    "status": "succeeded",
    "trigger": "manual",
    "job": 31,
    "previous_commit": "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
    "commit": "9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6",
    "files_changed": [
        {"path": "notes/python.md", "change": "modified"},
        {"path": "notes/web/django.md", "change": "renamed", "old_path": "notes/django.md"},
    ],
    "created": 2,
    "updated": 1,
    "archived": 0,
    "unchanged": 40,
    "decks_archived": 0,
    "warnings": [],
    "error": "",
    "created_at": "2026-01-06T18:02:00Z",
    "started_at": "2026-01-06T18:02:01Z",
    "finished_at": "2026-01-06T18:02:11Z",
}


# Refusals of well-formed input: documented as the 400s of their operations.
SOURCE_RULES = business_rules(
    ("", "only https://, ssh:// and git@host:path repository URLs are allowed"),
    ("", "this folder is not under a folder the administrator allowed (RECALL_SOURCE_ROOTS)"),
    ("", "you already have a source named 'Revision notes'"),
    ("", "sync every 1 minute to 7 days"),
    code="source_rejected",
)


@extend_schema_view(
    list=extend_schema(
        summary="List your note sources", examples=[ex.response("sources", ex.page(SOURCE))]
    ),
    retrieve=extend_schema(summary="Read a source", examples=[ex.response("source", SOURCE)]),
    create=extend_schema(
        summary="Add a Git repository or server folder as a source",
        responses={201: SourceSerializer, 400: SOURCE_RULES},
        examples=[SOURCE_CREATE, ex.response("source", SOURCE, 201)],
    ),
    update=extend_schema(
        summary="Replace a source's options",
        responses={200: SourceSerializer, 400: SOURCE_RULES},
        examples=[SOURCE_CREATE, ex.response("source", SOURCE)],
    ),
    partial_update=extend_schema(
        summary="Change some of a source's options",
        responses={200: SourceSerializer, 400: SOURCE_RULES},
        examples=[ex.request("pause", {"enabled": False}), ex.response("source", SOURCE)],
    ),
    destroy=extend_schema(summary="Remove a source (its decks are kept)"),
)
class SourceViewSet(viewsets.ModelViewSet):
    """A user's note sources; each file of a source is kept in sync with one deck."""

    serializer_class = SourceSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Source.objects.none()

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.sources_for(self.request.user)

    def perform_destroy(self, instance: Source) -> None:
        services.source_delete(source=instance)

    @extend_schema(
        summary="Sync a source now",
        request=None,
        responses={202: SyncRunSerializer},
        examples=[ex.response("sync", {**RUN, "status": "pending"}, 202)],
    )
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Sync now: queues a sync, or returns the one already waiting or running."""
        run = services.sync_request(source=self.get_object())
        return Response(SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="A source's sync history",
        responses={200: SyncRunSerializer(many=True)},
        examples=[ex.response("runs", ex.page(RUN))],
    )
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The source's sync history, newest first."""
        page = self.paginate_queryset(selectors.source_runs(self.get_object()))
        data = SyncRunSerializer(page, many=True).data
        return self.get_paginated_response(data)
