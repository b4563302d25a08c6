"""Options shared by Celery tasks."""

from __future__ import annotations

from typing import Any

from celery import Task, current_app
from django.db import OperationalError

# Mail: a server that is down or slow is retried with backoff; a mail is small, so a minute
# bounds any one attempt. acks_late: a worker lost mid-send hands the mail back.
MAIL_TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
    "soft_time_limit": 50,
    "time_limit": 60,
}


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


def task_named(name: str) -> Task:
    """The Celery task registered as ``name`` (its module path and function name).

    Services queue their tasks by name: a task module imports the service it runs, so a
    service importing the task back would be an import cycle. The registry is filled by
    the Celery app's autodiscovery of every app's tasks.py, which a web process that has not
    imported that module yet runs here, as a worker does when it starts."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]
