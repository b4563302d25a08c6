"""System check: a search backend that cannot work with this database fails at startup."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured


@register("search")
def check_search_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from .backends import backend_class

    name = settings.SEARCH_BACKEND
    try:
        backend = backend_class(name)()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="search.E001")]
    return [
        Error(problem, hint="See the Search section of README.md.", id="search.E002")
        for problem in backend.check()
    ]
