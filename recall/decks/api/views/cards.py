"""Viewset of cards: their flags, burying, sorting and bulk actions."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from recall.core.permissions import IsOwnerOrReadOnly
from recall.core.schema import business_rules
from recall.decks import extensions, services
from recall.decks.models import Card
from recall.decks.selectors import deck_listed_q, deck_readable_q

from .. import examples as ex
from ..filters import CardFilter
from ..serializers import CardBulkResultSerializer, CardBulkSerializer, CardSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List cards",
        description="The cards (study prompts) of your decks and of public decks; with "
        "`deck` or `note`, those of that deck or note if you may read it. Filter by "
        "archived state and by your study state. The study endpoints take these ids.",
        examples=[ex.response("cards", ex.page(ex.CARD))],
    ),
    retrieve=extend_schema(summary="Read a card", examples=[ex.response("card", ex.CARD)]),
    partial_update=extend_schema(
        summary="Suspend, bury or flag a card",
        examples=[
            ex.CARD_UPDATE,
            ex.CARD_BURY,
            ex.response("card", {**ex.CARD, "suspended": True}),
        ],
    ),
)
class CardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CardSerializer
    permission_classes = [IsOwnerOrReadOnly]
    owner_field = "deck.owner_id"
    filterset_class = CardFilter
    ordering_fields = ["position", "ordinal", "created_at", "updated_at", "id"]
    ordering = ["deck_id", "position", "ordinal", "id"]
    queryset = Card.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Card]:
        user = self.request.user
        cards = Card.objects.filter(deck_readable_q(user, prefix="deck__"))
        if self.action == "list" and not (
            self.request.query_params.get("deck") or self.request.query_params.get("note")
        ):
            cards = cards.filter(deck_listed_q(user, prefix="deck__"))
        return cards.select_related("note", "deck")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        sort = self.request.query_params.get("sort", "")
        if self.action == "list" and sort:
            # The filterset validated it; sorted after OrderingFilter, which would replace it.
            # The study app owns the rule (recall.decks.extensions: decks never imports it).
            user = self.request.user if self.request.user.is_authenticated else None
            queryset = extensions.cards_sort(queryset, user, sort)
        return queryset

    @extend_schema(
        summary="One action on many of your cards",
        description="Suspend, unsuspend, tag, untag, move (to another of your decks) or "
        "delete the listed cards. Tags, moves and deletions act on the cards' notes (a "
        "reversed or cloze note's other cards go along). Ids of cards that are not yours "
        "are ignored; the answer says how many cards and notes were acted on.",
        request=CardBulkSerializer,
        responses={
            200: CardBulkResultSerializer,
            400: business_rules(
                ("", "choose at least one card"),
                ("", "name at least one tag"),
                ("", "choose a deck to move the cards to"),
                ("", "at most 1000 cards at once"),
            ),
            404: business_rules(("", "You have no such deck to move cards to."), code="not_found"),
        },
        examples=[ex.CARD_BULK, ex.response("done", {"action": "move", "cards": 3, "notes": 2})],
    )
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        # JSON only: a form post of a thousand ids would pass Django's field-count limit.
        parser_classes=[JSONParser],
        serializer_class=CardBulkSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def bulk(self, request: Request) -> Response:
        serializer = CardBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.cards_bulk(
            user=request.user,
            card_ids=data["cards"],
            action=data["action"],
            tags=data.get("tags", []),
            deck_id=data.get("deck"),
        )
        body = {"action": result.action, "cards": result.cards, "notes": result.notes}
        return Response(CardBulkResultSerializer(body).data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        card = services.card_set_flags(
            card=cast(Card, serializer.instance),
            suspended=data.get("suspended"),
            flagged=data.get("flagged"),
        )
        if data.get("buried") is not None:
            card = extensions.card_bury(self.request.user, card, data["buried"])
        serializer.instance = card
