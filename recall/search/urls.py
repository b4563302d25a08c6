"""Web pages of the search app."""

from __future__ import annotations

app_name = "search"
urlpatterns: list = []
