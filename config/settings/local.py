"""Embedded profile for one laptop: SQLite, local memory, eager tasks, DEBUG on."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A development key only: production.py refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="recall-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
