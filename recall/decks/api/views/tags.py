"""Viewset of tags."""

from __future__ import annotations

from typing import cast

from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.serializers import BaseSerializer

from recall.core.schema import business_rules
from recall.decks import services
from recall.decks.models import Tag

from .. import examples as ex
from ..serializers import TagSerializer

# Refusals of well-formed input: documented as the 400s of their operations.
TAG_RULES = business_rules(
    ("name", "You already have a tag named 'orm'."),
    ("name", "A tag needs a name."),
)


@extend_schema_view(
    list=extend_schema(summary="List your tags", examples=[ex.response("tags", ex.page(ex.TAG))]),
    retrieve=extend_schema(summary="Read a tag", examples=[ex.response("tag", ex.TAG)]),
    create=extend_schema(
        summary="Create a tag",
        responses={201: TagSerializer, 400: TAG_RULES},
        examples=[ex.TAG_CREATE, ex.response("created", ex.TAG, 201)],
    ),
    update=extend_schema(
        summary="Rename a tag",
        responses={200: TagSerializer, 400: TAG_RULES},
        examples=[ex.TAG_CREATE, ex.response("tag", ex.TAG)],
    ),
    partial_update=extend_schema(
        summary="Rename a tag",
        responses={200: TagSerializer, 400: TAG_RULES},
        examples=[ex.TAG_CREATE, ex.response("tag", ex.TAG)],
    ),
    destroy=extend_schema(summary="Delete a tag (its cards stay)"),
)
class TagViewSet(viewsets.ModelViewSet):
    serializer_class = TagSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = None
    ordering_fields = ["name", "card_count"]
    ordering = ["name"]
    queryset = Tag.objects.none()

    def get_queryset(self) -> QuerySet[Tag]:
        return Tag.objects.filter(owner_id=self.request.user.pk).annotate(card_count=Count("notes"))

    def perform_create(self, serializer: BaseSerializer) -> None:
        tag = services.tag_create(owner=self.request.user, name=serializer.validated_data["name"])
        tag.card_count = 0  # type: ignore[attr-defined]
        serializer.instance = tag

    def perform_update(self, serializer: BaseSerializer) -> None:
        tag = cast(Tag, serializer.instance)
        if "name" in serializer.validated_data:
            tag = services.tag_rename(tag=tag, name=serializer.validated_data["name"])
        serializer.instance = tag

    def perform_destroy(self, instance: Tag) -> None:
        services.tag_delete(tag=instance)
