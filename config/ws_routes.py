"""Websocket routes (Channels); filled by the apps that push live updates."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
