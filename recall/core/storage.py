"""Where private uploads live: on disk beside MEDIA_ROOT, never inside the served media."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateUploadStorage(FileSystemStorage):
    """Files no web server serves: uploads waiting for their import job.

    ``MEDIA_ROOT`` is public (runserver's media view in the local profile, nginx's
    ``/media/``), so an upload stored there could be read by anyone who guessed its path
    while its job ran. These files go to ``RECALL_UPLOAD_ROOT``, by default ``uploads``
    beside ``MEDIA_ROOT`` (web processes and workers share both). The location is read
    when first needed, and again when either setting changes, as ``MEDIA_ROOT`` is.
    """

    @cached_property
    def base_location(self) -> str:
        media = Path(settings.MEDIA_ROOT).resolve()
        configured = getattr(settings, "RECALL_UPLOAD_ROOT", "")
        root = Path(configured).resolve() if configured else media.parent / "uploads"
        if root == media or media in root.parents:
            raise ImproperlyConfigured("RECALL_UPLOAD_ROOT must not be inside MEDIA_ROOT.")
        return str(root)

    @cached_property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)  # type: ignore[arg-type]
        if setting == "RECALL_UPLOAD_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_upload_storage() -> PrivateUploadStorage:
    """The storage of ``Job.upload`` (a callable, so migrations name it, not its settings)."""
    return PrivateUploadStorage()
