"""Options shared by Celery tasks."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError


def retry_on_database_errors(max_retries: int) -> dict[str, Any]:
    """``shared_task`` options for idempotent work: acknowledged once done, retried with
    jittered backoff when the database is unreachable (OperationalError)."""
    return {
        "acks_late": True,
        "autoretry_for": (OperationalError,),
        "retry_backoff": True,
        "retry_jitter": True,
        "max_retries": max_retries,
    }
