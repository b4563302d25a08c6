"""Site-wide error views: API paths answer in the API's JSON error shape, pages in HTML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from .exceptions import error_body

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches (e.g. ``/api/v1/cards/abc/``, where ids are integers).

    DRF's handler only sees errors raised inside its views; a path that resolves to no
    view would otherwise get Django's HTML page, which an API client cannot parse.
    """
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)
