"""Page-number pagination with a client-chosen but bounded page size.

``page`` and ``page_size`` are whole numbers from 1: anything else (``null``, ``abc``,
``0``) is a 400 naming the parameter, not silently the default. A page size above
``max_page_size`` is served at that size; a page past the last one is a 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .ids import MAX_ID

# A page beyond this is past the end of any list (its offset would not even fit in the
# database's 64-bit integers); a page size beyond it is simply "the largest".
_LARGEST = MAX_ID // 1000


def positive_int_param(request: Request, name: str) -> int | None:
    """The query parameter ``name`` as a whole number from 1; None when absent or huge."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not text.strip("0"):
        raise ValidationError({name: ["A whole number from 1 is required."]})
    # Compared as text first: int() refuses numbers of more than 4300 digits.
    digits = text.lstrip("0")
    if len(digits) > len(str(_LARGEST)) or int(digits) > _LARGEST:
        return None
    return int(digits)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        present = self.page_size_query_param in request.query_params
        size = positive_int_param(request, self.page_size_query_param)
        if size is None:
            return self.max_page_size if present else self.page_size
        return min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return raw
        number = positive_int_param(request, self.page_query_param)
        if number is None and raw is not None:
            raise NotFound("Invalid page.")  # a number too large for any page there is
        return number or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, from 1; larger values give {self.max_page_size}."
                )
        return parameters
