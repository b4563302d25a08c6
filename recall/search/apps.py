"""Search app: one backend contract, SQLite FTS5 / PostgreSQL / Elasticsearch implementations."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "recall.search"
    label = "search"

    def ready(self) -> None:
        from . import checks, receivers

        del checks  # imported for its @register
        receivers.connect()
