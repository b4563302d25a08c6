"""API permissions: owners write, everyone who may see an object reads it."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


def owner_id_of(obj: Any, path: str) -> Any:
    """Follow a dotted attribute path such as ``"deck.owner_id"``."""
    value = obj
    for part in path.split("."):
        value = getattr(value, part)
    return value


class IsOwnerOrReadOnly(BasePermission):
    """Reads for anyone the view's queryset lets through; writes for the owner only.

    The queryset already hides what a user may not read, so another user's
    private object is a 404 before this runs. An object that is visible but
    not theirs (public or unlisted) is therefore a 403 on write. Anonymous
    writes are refused before any lookup: a 401.
    The view names the owner with ``owner_field`` (default ``"owner_id"``).
    """

    message = "Only the owner can change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.method in SAFE_METHODS or request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        path = getattr(view, "owner_field", "owner_id")
        return bool(owner_id_of(obj, path) == request.user.pk)
