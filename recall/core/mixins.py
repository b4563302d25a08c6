"""View mixins: turn ApplicationError raised by a service into a form or page message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from .exceptions import ApplicationError


class ApplicationErrorMessageMixin:
    """Catches ApplicationError in form_valid and shows it on the form instead of a 500."""

    request: HttpRequest

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            messages.error(self.request, exc.message)
            return self.form_invalid(form)  # type: ignore[attr-defined]
