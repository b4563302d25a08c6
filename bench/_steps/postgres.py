"""Throw-away PostgreSQL databases named after DATABASE_URL's, for one benchmark run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse


def bench_database_url(url: str) -> str:
    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "recall") + "_bench"
    return urlunparse(parsed._replace(path=f"/{name}"))


def postgres_admin(url: str, sql: str) -> None:
    import psycopg

    parsed = urlparse(url)
    conninfo = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def throwaway_database(url: str, suffix: str) -> Iterator[str]:
    """A fresh database named after ``url``'s with ``suffix``, dropped afterwards; its URL."""
    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "recall") + suffix
    postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    postgres_admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parsed._replace(path=f"/{name}"))
    finally:
        postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
