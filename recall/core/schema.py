"""OpenAPI schema generation: the one error shape, documented on every operation."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from .exceptions import error_body
from .permissions import IsOwnerOrReadOnly


class ErrorDetailSerializer(serializers.Serializer):
    """``{"code", "message", "fields"}``; a declared attribute cannot be named ``fields``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "code": serializers.CharField(help_text="Machine-readable error code."),
            "message": serializers.CharField(help_text="A sentence fit for the user."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                required=False,
                help_text="Per-field messages, present on validation errors.",
            ),
        }


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input: see error.fields for per-field messages.",
    401: "Authentication credentials were missing or wrong.",
    403: "Authenticated, but not allowed (for example not the owner).",
    404: "No such object, or not visible to you.",
    409: "Conflicts with the current state.",
    429: "Too many requests: slow down (see the Retry-After header).",
}
ERROR_EXAMPLES = {
    400: {
        "error": {
            "code": "invalid",
            "message": "Invalid input.",
            "fields": {"title": ["This field is required."]},
        }
    },
    401: {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }
    },
    403: {"error": {"code": "permission_denied", "message": "Only the owner can change this."}},
    404: {"error": {"code": "not_found", "message": "No Deck matches the given query."}},
    409: {"error": {"code": "conflict", "message": "A deck with this slug already exists."}},
    429: {
        "error": {
            "code": "throttled",
            "message": "Request was throttled. Expected available in 59 seconds.",
        }
    },
}


# Text fields: no NUL character (DRF refuses them), and, when blank is not allowed, some
# text besides whitespace (DRF trims it first). Said in the schema so that clients and
# fuzzers know what a valid request is.
TEXT_PATTERN = r"^[^\x00]*$"
NOT_BLANK_TEXT_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"
RULE_EXAMPLE_PREFIX = "rule"


def business_rules(*rules: tuple[str, str], code: str = "invalid") -> OpenApiResponse:
    """The 400 of an operation with rules a schema cannot express, each one an example.

    A rule is ``(field, message)``: a slug already in use, a tag that exists, a deck that
    is not yours. ``field`` is empty for a rule about the whole request, answered with
    ``code`` and no ``fields``. Every example is named ``rule ...`` so tools (the fuzz test)
    can tell a documented refusal of well-formed input from a schema mismatch.
    """
    examples: list[OpenApiExample] = []
    for field_name, message in rules:
        if field_name:
            body = error_body("invalid", "Invalid input.", {field_name: [message]})
        else:
            body = error_body(code, message)
        label = f"{RULE_EXAMPLE_PREFIX} {field_name or code} {len(examples) + 1}"
        examples.append(OpenApiExample(label, value=body, summary=message))
    listed = " ".join(message for _, message in rules)
    return OpenApiResponse(
        response=ErrorSerializer,
        description=f"{ERROR_DESCRIPTIONS[400]} Business rules: {listed}",
        examples=examples,
    )


def error_response(code: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description or ERROR_DESCRIPTIONS[code],
        examples=[OpenApiExample(f"error {code}", value=ERROR_EXAMPLES[code])],
    )


class RecallAutoSchema(AutoSchema):
    """Adds the error responses an operation can produce, so clients and fuzzers know them.

    401 and 429 can answer anything (a wrong token, throttling); 400 anything
    that takes a body or query parameters; 403 any write; 404 any path with an id and any paginated
    list (a page past the end). A view lists further codes (409) with
    ``extend_schema(responses=...)``, which wins over these defaults.
    """

    def _error_codes(self) -> list[int]:
        codes = [401, 429]
        takes_input = self.method in ("POST", "PUT", "PATCH") or self._is_list_view()
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if takes_input or has_query:
            codes.append(400)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append(403)
        if "{" in self.path or self._is_list_view():
            codes.append(404)
        return sorted(codes)

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        plain_text = (
            isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            # A field's own pattern (a slug's) is added later, from its validator.
            and not any(isinstance(v, RegexValidator) for v in field.validators)
        )
        if (
            direction == "request"
            and plain_text
            and not {"pattern", "enum", "format"} & set(schema)
        ):
            blank_refused = not field.allow_blank and field.trim_whitespace
            schema["pattern"] = NOT_BLANK_TEXT_PATTERN if blank_refused else TEXT_PATTERN
        return schema

    def get_auth(self) -> list[dict[str, Any]]:
        # drf-spectacular marks authentication optional ({}) for DRF's own
        # IsAuthenticatedOrReadOnly only; ours lets anyone read what is public as well.
        auths = super().get_auth()
        anonymous_reads = self.method in SAFE_METHODS and any(
            isinstance(p, IsOwnerOrReadOnly) for p in self.view.get_permissions()
        )
        if anonymous_reads and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(code), str(code), direction=direction
                )
        return dict(sorted(responses.items()))
