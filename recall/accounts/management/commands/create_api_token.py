"""``manage.py create_api_token USERNAME [--name NAME]``: print a new API token's key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.accounts.models import User
from recall.accounts.tokens import api_token_create
from recall.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['username']!r}") from None
        try:
            _, key = api_token_create(user=user, name=options["name"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        # Only the key on stdout, so `KEY=$(manage.py create_api_token alice)` works.
        self.stdout.write(key)
