"""The command line of a real Celery worker started by a test (one process, a unique name)."""

from __future__ import annotations

import sys


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
