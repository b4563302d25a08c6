"""The business layer's error type and the one DRF handler that turns errors into JSON.

Every API error has the same shape::

    {"error": {"code": "...", "message": "...", "fields": {"name": ["..."]}}}

A backing service that is down (the database, Redis, the Celery broker) is not a bug of the
request: it gets 503 with ``Retry-After`` and the code ``service_unavailable``, here for the
API and in ``recall.core.middleware`` for pages.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule said no. Carries a message fit for the user."""

    code = "invalid"
    status_code = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    code = "not_found"
    status_code = 404


class ConflictError(ApplicationError):
    code = "conflict"
    status_code = 409


logger = logging.getLogger(__name__)

# Errors that say a backing service is unreachable or went away mid-request: the database's
# connection errors (refused, terminated by a restart, a lost connection), Redis's, and the
# broker's when a task cannot be queued. A retry a few seconds later can succeed.
SERVICE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerError,
)
SERVICE_UNAVAILABLE = "The service is briefly unavailable; please try again in a few seconds."
RETRY_AFTER_SECONDS = 5


def is_service_outage(exc: BaseException) -> bool:
    return isinstance(exc, SERVICE_ERRORS)


def log_service_outage(request: HttpRequest, exc: BaseException) -> None:
    # One line, no traceback: the cause is outside the code, and an outage repeats it on
    # every request.
    logger.warning(
        "503 for %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )


def _flatten_fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, list):
                out[str(key)] = [str(v) for v in value if not isinstance(v, dict | list)] or [
                    str(value)
                ]
            elif isinstance(value, dict):
                for sub_key, sub_val in _flatten_fields(value).items():
                    out[f"{key}.{sub_key}"] = sub_val
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_service_outage(exc):
        request = context.get("request")
        if request is not None:
            log_service_outage(request, exc)
        return Response(
            error_body("service_unavailable", SERVICE_UNAVAILABLE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(exc.code, exc.message, exc.extra.get("fields")), status=exc.status_code
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten_fields(exc.detail)
        message = "Invalid input."
        if list(fields) == ["non_field_errors"]:
            message = fields["non_field_errors"][0]
        response.data = error_body("invalid", message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        response.data = error_body(str(code), message)
    return response
