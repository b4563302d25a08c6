"""Celery application: configured from Django settings (CELERY_* names); tasks in apps' tasks.py.

Run a worker with ``celery -A config worker`` and the scheduler with ``celery -A config beat``
(django_celery_beat's DatabaseScheduler: the schedule lives in the database, editable in the admin).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("recall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# With late acks a task still running when the broker connection drops is redelivered
# elsewhere: cancel the local copy rather than run it twice.
app.conf.worker_cancel_long_running_tasks_on_connection_loss = True
app.conf.task_track_started = True
