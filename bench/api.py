"""API benchmark: the card list (a page of 50) under gunicorn, against a plain Django view.

Run: .venv/bin/python bench/api.py   (a temporary SQLite file; nothing else is touched)

gunicorn serves bench.apibench.settings (the embedded profile, DEBUG off, no throttling)
with 2 sync workers on loopback. Two URLs answer the same page of the same deck:

- DRF card list               /api/v1/notes/?deck=ID&page_size=50   (what the API serves:
                              its ModelSerializer and django-filter FilterSet)
- plain Django JsonResponse   /bench/cards-plain/?deck=ID&page_size=50  (the baseline)

Both authenticate with the same API token and run the same queries. Load comes from
client threads (httpx, keep-alive); the URLs take turns for several rounds so background
load hits them alike. Printed: requests/s (median of rounds), p95 latency, the ratio to the
baseline (goal >= 0.8), and the workers' CPU time per request (from /proc, Linux only),
which a busy machine skews less than requests/s. Missing the goal is printed, never an error.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402

GOAL_RATIO = 0.8
CARDS = 1000
PAGE_SIZE = 50
THREADS = 4
ROUNDS = 5
SECONDS_PER_ROUND = 2.0
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(db_path: Path) -> tuple[str, int]:
    """Migrate a fresh SQLite file and fill one deck with rendered, tagged cards."""
    setup_django(f"sqlite:///{db_path}", settings="bench.apibench.settings", migrate=True)

    from recall.accounts.models import User
    from recall.accounts.tokens import api_token_create
    from recall.decks.cards import cards_sync
    from recall.decks.models import Deck, Note, Tag
    from recall.decks.rendering import render_card_fields

    user = User.objects.create_user("bench", password="bench-password-not-secret")
    deck = Deck.objects.create(owner=user, title="Bench deck", slug="bench")
    tags = Tag.objects.bulk_create([Tag(owner=user, name=f"topic-{i}") for i in range(8)])
    cards = []
    for i in range(CARDS):
        card = Note(
            deck=deck,
            position=i,
            question=f"What does `select_related` number {i} do?",
            answer=f"It follows foreign keys with a JOIN.\n\n```python\nqs = Card.objects"
            f".select_related('deck')[:{i}]\n```\n\n- one query\n- **fewer** round trips",
            source_file="bench.md",
            source_line=i * 7 + 1,
        )
        render_card_fields(card)
        cards.append(card)
    cards_sync(Note.objects.bulk_create(cards, batch_size=500))
    through = Note.tags.through
    through.objects.bulk_create(
        [
            through(note_id=c.pk, tag_id=tags[(c.position + k) % len(tags)].pk)
            for c in Note.objects.filter(deck=deck)
            for k in range(2)
        ],
        batch_size=1000,
    )
    _, key = api_token_create(user=user, name="bench")
    return key, deck.pk


def start_gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def wait_ready(url: str, headers: dict[str, str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f}s")


def load(url: str, headers: dict[str, str], seconds: float) -> tuple[int, list[float]]:
    """THREADS keep-alive clients hammer one URL for `seconds`; returns (requests, latencies)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        mine: list[float] = []
        with httpx.Client(headers=headers, timeout=10) as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                response = client.get(url)
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")
                    return
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{url} failed: {errors[0]}")
    return len(latencies), latencies


def workers_cpu_seconds(master_pid: int) -> float | None:
    """User+system CPU of the gunicorn workers (Linux /proc); None where unavailable."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="recall-bench-api-") as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        key, deck_id = seed(db_path)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.apibench.settings",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        base = f"http://127.0.0.1:{port}"
        query = f"?deck={deck_id}&page_size={PAGE_SIZE}"
        targets = {
            "DRF card list": f"{base}/api/v1/notes/{query}",
            "plain Django JsonResponse": f"{base}/bench/cards-plain/{query}",
        }
        headers = {"Authorization": f"Token {key}"}
        server = start_gunicorn(port, env)
        try:
            for url in targets.values():
                wait_ready(url, headers)
            same = {
                name: httpx.get(url, headers=headers).json()["results"]
                for name, url in targets.items()
            }
            assert len({str(v) for v in same.values()}) == 1, "the URLs differ"
            for url in targets.values():  # warm-up: imports, caches, connections
                load(url, headers, 0.5)

            rates: dict[str, list[float]] = {name: [] for name in targets}
            lat: dict[str, list[float]] = {name: [] for name in targets}
            cpu: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name, url in targets.items():
                    before = workers_cpu_seconds(server.pid)
                    count, latencies = load(url, headers, SECONDS_PER_ROUND)
                    after = workers_cpu_seconds(server.pid)
                    rates[name].append(count / SECONDS_PER_ROUND)
                    lat[name].extend(latencies)
                    if before is not None and after is not None:
                        cpu[name].append((after - before) / count * 1000)
        finally:
            server.terminate()
            server.wait(timeout=10)

    baseline = statistics.median(rates["plain Django JsonResponse"])
    print(
        f"Card list, page of {PAGE_SIZE} of {CARDS} cards, gunicorn {WORKERS} sync workers, "
        f"{THREADS} client threads, {ROUNDS} rounds x {SECONDS_PER_ROUND:.0f}s per URL"
    )
    print(f"{'endpoint':<28} {'req/s':>8} {'p95 ms':>8} {'vs plain':>9} {'server CPU ms/req':>18}")
    for name in targets:
        rate = statistics.median(rates[name])
        cpu_ms = f"{statistics.median(cpu[name]):.2f}" if cpu[name] else "n/a"
        print(
            f"{name:<28} {rate:>8.0f} {p95(lat[name]) * 1000:>8.1f} {rate / baseline:>9.2f}"
            f" {cpu_ms:>18}"
        )
    ratio = statistics.median(rates["DRF card list"]) / baseline
    verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
    print(f"DRF card list / plain Django = {ratio:.2f}: {verdict} the goal of >= {GOAL_RATIO}")


if __name__ == "__main__":
    main()
