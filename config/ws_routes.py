"""Websocket routes (Channels): live progress of background jobs."""

from __future__ import annotations

from typing import Any

from django.urls import path

from recall.jobs.consumers import JobProgressConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/jobs/<int:job_id>/", JobProgressConsumer.as_asgi()),
]
