"""Template tags of the semantic app: the related-questions block of a note."""

from __future__ import annotations

from typing import Any

from django import template

from recall.semantic.selectors import related_notes, semantic_search_available

register = template.Library()


@register.inclusion_tag("semantic/related_questions.html", takes_context=True)
def related_questions(context: dict[str, Any], note: Any, heading_level: int = 2) -> dict[str, Any]:
    """Nearest notes by meaning across the reader's decks; renders nothing without any."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        # Hidden, not half-shown, when the extra is missing or switched off (RECALL_SEMANTIC=0).
        "related": related_notes(user=user, note=note)
        if note is not None and semantic_search_available()
        else [],
        "heading_level": heading_level,
        "note_id": getattr(note, "pk", None),
    }
