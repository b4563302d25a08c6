"""Views of the accounts API: the current user's preferences and API tokens."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from recall.core.schema import business_rules

from ..models import ApiToken, User
from ..services import user_update_preferences
from ..tokens import api_token_create, api_token_list, api_token_revoke
from .serializers import ApiTokenCreatedSerializer, ApiTokenSerializer, MeSerializer

ME_EXAMPLE = {
    "id": 1,
    "username": "ada",
    "email": "ada@example.com",
    "time_zone": "Europe/London",
    "day_starts_at_hour": 4,
    "desired_retention": 0.9,
    "daily_digest": False,
    "date_joined": "2026-01-05T09:30:00Z",
}


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read your profile and study preferences",
        examples=[OpenApiExample("me", value=ME_EXAMPLE, response_only=True)],
    ),
    partial_update=extend_schema(
        summary="Change your study preferences or e-mail address",
        description="A new `email` needs `current_password`; a notice goes to the old address.",
        responses={
            200: MeSerializer,
            400: business_rules(
                ("time_zone", "'Mars/Olympus' is not a known time zone."),
                ("email", "An account with this e-mail address already exists."),
                ("current_password", "Enter your current password to change your e-mail address."),
            ),
        },
        examples=[
            OpenApiExample(
                "preferences",
                value={"time_zone": "Europe/London", "desired_retention": 0.92},
                request_only=True,
            ),
            OpenApiExample(
                "e-mail",
                value={"email": "ada@example.org", "current_password": "my passphrase"},
                request_only=True,
            ),
            OpenApiExample("me", value=ME_EXAMPLE, response_only=True),
        ],
    ),
)
class MeViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    # The signed-in user: read it, change some of it (no PUT: urls.py maps GET and PATCH
    # only). No docstring: it would become the schema's description of GET.

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self) -> Any:
        return self.request.user

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = user_update_preferences(
            user=cast(User, serializer.instance),
            current_password=fields.pop("current_password", None),
            # The Django request: django-axes counts a wrong password on it.
            request=self.request._request,
            **fields,
        )


TOKEN_EXAMPLE = {
    "id": 3,
    "name": "laptop script",
    "prefix": "q3Jx0bZk",
    "created_at": "2026-01-05T09:30:00Z",
    "last_used_at": None,
}


@extend_schema_view(
    list=extend_schema(
        summary="List your API tokens",
        description="The keys themselves are never shown again, only their first characters.",
        examples=[
            OpenApiExample(
                "tokens",
                value={"count": 1, "next": None, "previous": None, "results": [TOKEN_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    create=extend_schema(
        summary="Create an API token",
        description="Send it as `Authorization: Token <key>`. The key is in this response only.",
        responses={
            201: ApiTokenCreatedSerializer,
            400: business_rules(
                ("", "You already have 50 tokens: revoke one before creating another.")
            ),
        },
        examples=[
            OpenApiExample("name", value={"name": "laptop script"}, request_only=True),
            OpenApiExample(
                "created",
                value={**TOKEN_EXAMPLE, "key": "q3Jx0bZk5YvT8nq0rWm1s2d3f4g5h6j7k8l9zXcVbN"},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
    destroy=extend_schema(summary="Revoke an API token"),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Named API tokens: a user holds several (one per script or device), each revocable."""

    serializer_class = ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = None
    ordering_fields = ["created_at", "last_used_at", "name"]
    ordering = ["-created_at", "-id"]
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> QuerySet[ApiToken]:
        return api_token_list(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=serializer.validated_data["name"])
        token.key = key  # type: ignore[attr-defined]
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(user=self.request.user, token_id=instance.pk)
