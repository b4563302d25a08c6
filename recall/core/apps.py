"""Core app: cross-cutting pieces that own no models of their own."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "recall.core"
    label = "core"
