"""Middleware: every 404 under /api/ is answered in the API's JSON error shape."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from .exceptions import error_body

API_PREFIX = "/api/"


class ApiNotFoundMiddleware:
    """A path under /api/ that no route matches (``/api/v1/cards/abc/``: ids are integers).

    DRF's handler only sees errors raised inside its views; a path that resolves to no
    view would get Django's HTML page (the debug page in the local profile), which an API
    client cannot parse. A middleware, unlike ``handler404``, also sees DEBUG's page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse(error_body("not_found", "Not found."), status=404)
        return response
