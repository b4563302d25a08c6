"""A backing service that is down answers 503 with Retry-After, never a 500 with a trace.

``ServiceUnavailableMiddleware`` turns a database, Redis or broker connection error raised by
a view into that 503 (the API's own views get it from ``api_exception_handler``);
``server_error`` is the site's 500 handler, which does the same for such an error raised
outside a view (a session saved to Redis as the response leaves) and otherwise is Django's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from .exceptions import (
    RETRY_AFTER_SECONDS,
    SERVICE_UNAVAILABLE,
    error_body,
    is_service_outage,
    log_service_outage,
)

# No template: rendering one could need the very service that is down (the session, the
# user behind it).
PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Recall: try again shortly</title>"
    "<h1>Recall is briefly unavailable</h1><p>{message}</p></html>"
)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(error_body("service_unavailable", SERVICE_UNAVAILABLE), status=503)
    else:
        response = HttpResponse(PAGE.format(message=SERVICE_UNAVAILABLE), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    """503 for a view that met a backing service outage."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_service_outage(exception):
            return None
        log_service_outage(request, exception)
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so it can look at it."""
    exc = sys.exception()
    if exc is not None and is_service_outage(exc):
        return unavailable_response(request)
    return defaults.server_error(request)
