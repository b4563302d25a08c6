"""Template tags of the search page: the options of its deck and tag filters."""

from __future__ import annotations

from typing import Any

from django import template

from recall.decks.selectors import deck_list_for

register = template.Library()


@register.simple_tag
def filter_choices(user: Any) -> dict[str, list[tuple[str, str]]]:
    """Deck (slug, title) and tag (name, name) options for the search filters of a user."""
    if user is None or not user.is_authenticated:
        return {"decks": [], "tags": []}
    decks = [(d.slug, d.title) for d in deck_list_for(user).only("slug", "title", "owner")]
    tags = [(name, name) for name in user.tags.order_by("name").values_list("name", flat=True)]
    return {"decks": decks, "tags": tags}
