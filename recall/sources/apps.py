"""Sources app: decks kept in sync with a Git repository or a server-side folder."""

from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "recall.sources"
    label = "sources"
    verbose_name = "Sources"
