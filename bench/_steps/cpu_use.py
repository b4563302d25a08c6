"""CPU time of this machine's processes between two moments, by part of the stack (Linux).

bench/load.py runs the stack and its client on the same cores: how busy the cores were in a
step, and which part spent it, tells a latency that is waiting for a core from one that is
work of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

# The first pattern found in a process's command line names its part.
PARTS = (
    ("bench/load.py", "client"),
    ("gunicorn", "web (gunicorn)"),
    ("uvicorn", "uvicorn"),
    ("celery", "celery"),
    ("postgres", "postgresql"),
    ("redis-server", "redis"),
    ("nginx", "nginx"),
)
# (pid, start time in clock ticks): a pid used again by a later process is another key.
Key = tuple[int, int]
Snapshot = dict[Key, tuple[str, float]]


def part_of(command: str) -> str:
    return next((part for pattern, part in PARTS if pattern in command), "other")


def snapshot(proc: Path = Path("/proc")) -> Snapshot:
    """Every process's CPU seconds so far (user + system) with its part of the stack."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: Snapshot = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        # The name in parentheses may hold spaces: the fields counted after its ")".
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / ticks
        out[(int(entry.name), int(fields[19]))] = (part_of(command), used)
    return out


def spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per part between two snapshots; a process started since counts whole, one
    that ended meanwhile is missed (the stack's processes live for the whole run)."""
    parts: dict[str, float] = {}
    for key, (part, used) in after.items():
        earlier = before.get(key, (part, 0.0))[1]
        parts[part] = parts.get(part, 0.0) + used - earlier
    return parts
