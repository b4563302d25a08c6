"""Tell whether the real services the tests use are reachable (used by the Makefile and tests).

python scripts/services.py postgres redis   -> exit 0 if all answer, 1 otherwise
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

DEFAULTS = {
    "postgres": os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/recall"),
    "redis": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
    "elasticsearch": os.environ.get("ELASTICSEARCH_URL", ""),
}
PORTS = {"postgres": 5432, "redis": 6379, "rabbitmq": 5672, "elasticsearch": 9200}


def reachable(name: str, timeout: float = 1.0) -> bool:
    url = DEFAULTS.get(name, "")
    if not url:
        return False
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or PORTS[name]
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def main(names: list[str]) -> int:
    missing = [n for n in names if not reachable(n)]
    for name in missing:
        print(f"service not reachable: {name} ({DEFAULTS.get(name) or 'not configured'})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
