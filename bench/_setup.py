"""The one Django set-up of the benchmarks: settings, database, no Redis, optionally migrated."""

from __future__ import annotations

import logging
import os


def setup_django(
    database_url: str | None,
    *,
    settings: str = "config.settings.test",
    search_backend: str | None = None,
    migrate: bool = False,
    quiet: bool = False,
) -> None:
    """Point Django at ``database_url`` (None: the settings' own, for benches that read no
    rows) and set it up; the cache is local memory (no REDIS_URL), so the figures measure
    the database, not Redis."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    if search_backend is not None:
        os.environ["SEARCH_BACKEND"] = search_backend
    import django

    django.setup()
    if quiet:
        # The eager search-index task logs each run; the figures are what a bench prints.
        logging.disable(logging.WARNING)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
