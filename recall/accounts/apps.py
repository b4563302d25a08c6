"""Accounts app: the custom User, registration, API tokens, welcome e-mail."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recall.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
