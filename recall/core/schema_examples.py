"""Builders of the request and response examples every app's OpenAPI documentation shows."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample


def page(item: dict) -> dict:
    """One item as a page of the API's pagination."""
    return {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [item],
    }


def request(name: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


def response(name: str, value: dict, status_code: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status_code)])
