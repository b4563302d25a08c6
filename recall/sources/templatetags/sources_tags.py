"""Template tags of sources: a card's links back to its notes file (forge line, patch)."""

from __future__ import annotations

from typing import Any

from django import template

from recall.sources import selectors

register = template.Library()


@register.inclusion_tag("sources/card_source_links.html", takes_context=True)
def card_source_links(context: dict[str, Any], card: Any) -> dict[str, Any]:
    record = selectors.card_source_file(card)
    user = context.get("user")
    is_owner = bool(user and user.is_authenticated and card.deck.owner_id == user.pk)
    return {
        "card": card,
        "record": record,
        "forge_url": selectors.card_forge_url(card, record) if record else "",
        "has_patch": bool(is_owner and record and selectors.card_patch(card, record)),
    }
