"""Real Celery workers started by tests: their command line and the world they run in."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def worker_command(hostname: str, *options: str) -> list[str]:
    """``celery worker`` for this project: one child, no mingle or gossip with other workers,
    INFO logs (tests wait for its " ready." line), named ``hostname``, plus ``options``."""
    return [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "config",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "1",
        "--without-mingle",
        "--without-gossip",
        "--hostname",
        hostname,
        *options,
    ]


def _drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def production_environment(
    tmp_path: Path, *, database: str, redis_url: str, **settings: str
) -> Iterator[dict[str, str]]:
    """Environment variables for manage.py and workers with production settings, against a
    new, migrated PostgreSQL database and an empty Redis database; both cleared afterwards."""
    _drop_database(database)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    redis.Redis.from_url(redis_url).flushdb()
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    values = {k: v for k, v in os.environ.items() if k in keep}
    values.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        SECURE_SSL_REDIRECT="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=str(ROOT),
        **settings,
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=values,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    try:
        yield values
    finally:
        redis.Redis.from_url(redis_url).flushdb()
        _drop_database(database)
