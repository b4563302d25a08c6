"""File downloads: a response that the browser saves under the given file name."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment_response(*, content: bytes, content_type: str, filename: str) -> HttpResponse:
    """``content`` as a download named ``filename`` (the header quotes and encodes it)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or ""
    )
    return response
