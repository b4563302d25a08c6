"""Middleware: each request of a signed-in user runs in that user's time zone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .selectors import user_zone


def activate_user_zone(user: Any) -> None:
    """Format this request's datetimes (templates, |date, API datetimes) in the user's zone."""
    if user is not None and user.is_authenticated:
        timezone.activate(user_zone(user))


class UserTimeZoneMiddleware:
    """Activates the signed-in user's time zone for the request, and resets it afterwards.

    Token-authenticated API requests are seen here as anonymous (DRF authenticates inside
    the view): ``ApiTokenAuthentication`` activates the zone for them, and this middleware
    still resets it, so a zone never leaks into the thread's next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        activate_user_zone(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
