"""Accounts app: the custom User, registration, API tokens, welcome e-mail."""

from django.apps import AppConfig
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "recall.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import receivers
        from .models import User

        post_save.connect(
            receivers.send_welcome_on_signup, sender=User, dispatch_uid="accounts_welcome_email"
        )
