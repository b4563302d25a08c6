"""Search app: one backend contract, SQLite FTS5 / PostgreSQL / Elasticsearch implementations."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "recall.search"
    label = "search"
