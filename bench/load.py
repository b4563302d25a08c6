"""Load test: simulated users study, search and import against the production stack (Locust).

Run: .venv/bin/python bench/load.py [--duration 120] [--steps 2,4,8,16,32] [--backlog 2000]
     [--host URL]

Without --host it starts the loopback production stack itself (scripts/prod_up.sh, as
``make prod-up`` does: nginx -> gunicorn / uvicorn, a Celery worker, PostgreSQL, Redis) on
a free port and stops it afterwards (scripts/prod_down.sh). The stack's database and Redis
are those of scripts/prod_env.sh: set PROD_DATABASE_URL and PROD_REDIS_URL to choose them.

Users, each with an API token and a deck of imported cards, are created in the stack's
database first, and the Celery worker is left to finish what that import started (the
embeddings of the seeded notes: a one-off backlog of minutes on 2 CPUs, which earlier runs
measured as if it were the load). Then Locust (headless, in this process) runs the users at rising
concurrency, the duration split evenly between the steps. Each simulated user:

- studies (8 in 11 of its turns): the next card (GET /api/v1/study/queue/), a grade
  (POST /api/v1/study/grade/ with the version the queue gave), and 1 time in 10 an undo of
  that grade (POST /api/v1/study/undo/);
- searches (2 in 11): GET /api/v1/search/?q=<a word of its cards>;
- imports (1 in 11): a 20-card CSV (POST /api/v1/decks/import/, run by the Celery worker).

Printed per step: reviews (grades answered 2xx) per second and per CPU core, p50 and p95 of
grade and of next card, errors, and how busy the cores were (the stack and this client
share them; at the knee, each part's share of the CPU spent, from /proc). The knee is the
last step whose reviews per second grew by 10% or more over the step before. When no step
grew over the first, there is no knee to judge: the first step may already be past it (one
earlier run on an overloaded database called its 2-user step the knee and the latency goal
met), so the goal is then reported not met, with the reason. Goals at the knee: p95 of
grade and of next card < 100 ms, 0 errors. Also printed: the most reviews per second of any
step whose two p95 stay under 100 ms (the load the stack carries at the latency a user was
promised).

Last, unless --backlog=0: every account gets a deck of --backlog (2,000) overdue reviews,
all allowed today (someone back from weeks away; written in bulk while the users go on),
and one more step runs at the knee's users (the first step's if there is no knee). Its p95
are judged against the same goal and printed beside the knee's, with the share of next
cards that were reviews. The steps before have only the seed's new cards and what the
users graded, so they never measure a long review list.
Then the review log is checked: every grade answered 2xx and not undone is in it
exactly once, and nothing else is (undo deletes its review's row).
Missing a goal is printed, never an error.
"""

from __future__ import annotations

import sys

# Locust runs on gevent, which must patch the standard library before anything else loads;
# the seeding and checking child processes (plain Django) are left unpatched.
if not {"--seed", "--check", "--settle", "--add-backlog"} & {arg.split("=")[0] for arg in sys.argv}:
    from gevent import monkey

    monkey.patch_all()

import argparse
import json
import os
import random
import socket
import subprocess
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _steps.cpu_use import snapshot, spent  # noqa: E402
from _steps.load_steps import knee, report  # noqa: E402
from _steps.postgres import throwaway_database  # noqa: E402
from _steps.reviewed import add_backlog  # noqa: E402

# The stack this script starts: a throw-away database named after this one's, and this
# Redis database, emptied first (BENCH_LOAD_REDIS_URL to choose another).
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/recall_prod"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
CARDS_PER_USER = 300
WORDS = ["model", "view", "queryset", "index", "cache", "signal", "migration", "template"]

# -- inside the stack's environment (a child process): seed and check ------------------------


def _django() -> None:
    import django

    django.setup()


def seed(users: int, out: Path) -> None:
    """Users with a token and a deck of CARDS_PER_USER imported cards; written to out."""
    _django()
    from django.contrib.auth import get_user_model

    from recall.accounts.tokens import api_token_create
    from recall.decks.models import Deck
    from recall.decks.services import deck_update, notes_import

    run = f"load{int(time.time())}"
    rng = random.Random(run)
    accounts = []
    for index in range(users):
        user = get_user_model().objects.create_user(username=f"{run}-{index}", password=None)
        _, key = api_token_create(user=user, name="load test")
        rows = [
            f'"{rng.choice(WORDS)} {rng.choice(WORDS)} question {n}?",'
            f'"An answer about {rng.choice(WORDS)}, number {n}.",load'
            for n in range(CARDS_PER_USER)
        ]
        notes_import(owner=user, filename=f"{run}-{index}.csv", data="\n".join(rows).encode())
        # Every card may be studied today: the default 20 new cards a day would empty the
        # queues within seconds and measure waiting, not studying.
        for deck in Deck.objects.filter(owner=user):
            deck_update(deck=deck, new_cards_per_day=CARDS_PER_USER)
        accounts.append({"user_id": user.pk, "token": key})
    out.write_text(json.dumps({"run": run, "accounts": accounts}))


def add_backlogs(seeded: Path, count: int) -> None:
    """Give every seeded user a deck of ``count`` overdue reviews (_steps/reviewed.py)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    data = json.loads(seeded.read_text())
    rng = random.Random(data["run"])
    user_ids = [a["user_id"] for a in data["accounts"]]
    for user in get_user_model().objects.filter(pk__in=user_ids).order_by("pk"):
        add_backlog(user, count, timezone.now(), rng)


def settle(seeded: Path, timeout: float = 900.0) -> None:
    """Wait until the background jobs of the seeded users are done (the seed's embeddings):
    the steps then measure the load's own work, not a one-off backlog of the set-up."""
    _django()
    from recall.jobs.models import Job, JobStatus

    user_ids = [a["user_id"] for a in json.loads(seeded.read_text())["accounts"]]
    busy = Job.objects.filter(
        owner_id__in=user_ids, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    )
    started = time.perf_counter()
    while (left := busy.count()) and time.perf_counter() - started < timeout:
        print(f"  waiting for the seed's background jobs: {left} left", flush=True)
        time.sleep(10)
    print(
        f"seed's background jobs done in {time.perf_counter() - started:.0f}s"
        if not left
        else f"seed's background jobs: {left} still running after {timeout:.0f}s",
        flush=True,
    )


def check(seeded: Path, answered: Path) -> None:
    """Print whether the review log holds each 2xx grade that was not undone, exactly once."""
    _django()
    from django.db.models import Count

    from recall.study.models import ReviewLog

    user_ids = [a["user_id"] for a in json.loads(seeded.read_text())["accounts"]]
    outcome = json.loads(answered.read_text())
    graded, undone = outcome["graded"], set(outcome["undone"])
    expected = [review for review in graded if review not in undone]
    logs = ReviewLog.objects.filter(user_id__in=user_ids)
    found = set(logs.values_list("id", flat=True))
    repeated = logs.values("user_id", "card_id", "reviewed_at").annotate(n=Count("id"))
    doubles = repeated.filter(n__gt=1).count()
    missing = [r for r in expected if r not in found]
    extra = found - set(expected)
    ok = not missing and not extra and not doubles and len(expected) == len(set(expected))
    print(
        f"review log: {len(graded):,} grades answered 2xx, {len(undone):,} undone, "
        f"{len(found):,} rows; missing {len(missing)}, unexpected {len(extra)}, "
        f"duplicated {doubles}: exactly once {'MET' if ok else 'NOT met'}",
        flush=True,
    )


def in_stack(*arguments: str, env: dict[str, str]) -> None:
    """Run this file with the stack's environment (scripts/prod_env.sh), from the repository."""
    script = 'source scripts/prod_env.sh && exec "$RECALL_BIN/python" bench/load.py "$@"'
    subprocess.run(["bash", "-c", script, "load", *arguments], cwd=ROOT, env=env, check=True)


# -- the load ---------------------------------------------------------------------------------


def make_user_class(
    accounts: deque[dict[str, Any]],
    outcome: dict[str, list[int]],
    served: Counter[str],
    only: str | None = None,
) -> type:
    from locust import HttpUser, between, task

    class Learner(HttpUser):
        wait_time = between(0.05, 0.25)

        def on_start(self) -> None:
            account = accounts.popleft()
            accounts.append(account)  # more Locust users than accounts: share them round-robin
            self.client.headers["Authorization"] = f"Token {account['token']}"
            self.rng = random.Random(account["token"])

        @task(8)
        def study(self) -> None:
            with self.client.get(
                "/api/v1/study/queue/?limit=1", name="next card", catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
                    return
                cards = response.json()["cards"]
            if not cards:
                return
            card = cards[0]
            served[card["queue"]] += 1
            payload = {
                "card": card["id"],
                "grade": self.rng.choice((1, 3, 3, 3, 4)),
                "duration_ms": 3000,
                "version": card["version"],
            }
            with self.client.post(
                "/api/v1/study/grade/", json=payload, name="grade", catch_response=True
            ) as response:
                if response.status_code == 409:
                    # Another simulated user on the same account graded it first: the API
                    # refused the second grade, as it must. Not an error of the server.
                    response.success()
                    return
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
                    return
                review = int(response.json()["review"])
                outcome["graded"].append(review)
            if self.rng.random() < 0.1:
                with self.client.post(
                    "/api/v1/study/undo/", json={"review": review}, name="undo", catch_response=True
                ) as response:
                    if response.status_code == 200:
                        outcome["undone"].append(int(response.json()["review"]))
                    elif response.status_code == 409:
                        response.success()  # a later grade of the same account came first
                    else:
                        response.failure(f"{response.status_code}")

        @task(2)
        def search(self) -> None:
            word = self.rng.choice(WORDS)
            self.client.get(f"/api/v1/search/?q={word}", name="search")

        @task(1)
        def upload(self) -> None:
            rows = "\n".join(
                f'"upload {self.rng.random():.9f} {n}?","answer {n}",load' for n in range(20)
            )
            files = {"file": (f"upload-{self.rng.random():.9f}.csv", rows.encode(), "text/csv")}
            with self.client.post(
                "/api/v1/decks/import/", files=files, name="import", catch_response=True
            ) as response:
                if response.status_code != 202:
                    response.failure(f"{response.status_code}")

    if only:
        # Some kinds of turn alone: what the others cost them shows against a mixed run.
        # Locust lists each task as often as its weight: keeping those kept keeps the mix.
        kinds = set(only.split(","))
        Learner.tasks = [task for task in Learner.tasks if getattr(task, "__name__", "") in kinds]
    return Learner


def run_load(
    host: str,
    accounts: list[dict[str, Any]],
    steps: list[int],
    seconds: float,
    only: str | None = None,
    backlog: tuple[int, Callable[[], None]] | None = None,
) -> dict:
    """The steps, then (with ``backlog``: its size and what adds it) one more step at the
    knee's users after every account got that many overdue reviews."""
    from locust.env import Environment

    outcome: dict[str, list[int]] = {"graded": [], "undone": []}
    served: Counter[str] = Counter()
    learner = make_user_class(deque(accounts), outcome, served, only)
    # stop_timeout: at the end each user finishes its turn, so that no grade the server
    # answered goes unrecorded here (the exactly-once check counts them).
    env = Environment(user_classes=[learner], host=host, stop_timeout=30)
    runner = env.create_local_runner()
    results = []
    print(
        f"{'users':>5}{'reviews/s':>11}{'per core':>10}{'grade p50/p95':>15}"
        f"{'next p50/p95':>14}{'search p95':>12}{'import p95':>12}{'requests':>10}"
        f"{'errors':>8}{'CPU busy':>10}",
        flush=True,
    )
    for users in steps:
        results.append(run_step(env, runner, users, seconds, outcome, served))
    backlog_step = None
    if backlog:
        # Users keep studying while the backlog is written; the step is measured after.
        print(f"adding {backlog[0]:,} overdue reviews to each account", flush=True)
        t0 = time.perf_counter()
        backlog[1]()
        print(f"  added in {time.perf_counter() - t0:.1f}s", flush=True)
        chosen = knee(results) or results[0]
        backlog_step = run_step(env, runner, chosen["users"], seconds, outcome, served)
    runner.quit()
    return {"steps": results, "backlog_step": backlog_step, "outcome": outcome}


def run_step(
    env: Any,
    runner: Any,
    users: int,
    seconds: float,
    outcome: dict[str, list[int]],
    served: Counter[str],
) -> dict[str, Any]:
    """One step: ``users`` simulated users for ``seconds``, measured after they started."""
    import gevent

    cores = os.cpu_count() or 1
    runner.start(users, spawn_rate=max(users, 1))
    gevent.sleep(min(3.0, seconds / 4))  # let the step's users start before measuring
    env.stats.reset_all()
    served.clear()
    started = time.perf_counter()
    before = len(outcome["graded"])
    cpu_before = snapshot()
    gevent.sleep(seconds - min(3.0, seconds / 4))
    elapsed = time.perf_counter() - started
    cpu = spent(cpu_before, snapshot())
    reviews = (len(outcome["graded"]) - before) / elapsed

    def percentile(name: str, method: str, share: float = 0.95) -> float:
        entry = env.stats.get(name, method)
        return float(entry.get_response_time_percentile(share) or 0.0)

    step = {
        "users": users,
        "reviews_per_s": reviews,
        "per_core": reviews / cores,
        "grade_p50": percentile("grade", "POST", 0.5),
        "grade_p95": percentile("grade", "POST"),
        "next_p50": percentile("next card", "GET", 0.5),
        "next_p95": percentile("next card", "GET"),
        "search_p95": percentile("search", "GET"),
        "import_p95": percentile("import", "POST"),
        "requests": env.stats.total.num_requests,
        "errors": env.stats.total.num_failures,
        "cpu_busy": sum(cpu.values()) / (cores * elapsed),
        "cpu_parts": cpu,
        "served": dict(served),
    }
    print(
        f"{users:>5}{reviews:>11.1f}{step['per_core']:>10.1f}"
        f"{step['grade_p50']:>8.0f}/{step['grade_p95']:.0f}ms"
        f"{step['next_p50']:>7.0f}/{step['next_p95']:.0f}ms"
        f"{step['search_p95']:>10.0f}ms{step['import_p95']:>10.0f}ms"
        f"{step['requests']:>10,}{step['errors']:>8}{step['cpu_busy']:>10.0%}",
        flush=True,
    )
    return step


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds, all steps")
    parser.add_argument("--steps", default="2,4,8,16,32", help="concurrent users per step")
    parser.add_argument("--accounts", type=int, default=32, help="seeded users (tokens)")
    parser.add_argument("--host", help="a running stack (default: start one, stop it after)")
    parser.add_argument(
        "--only", help="kinds of turn to keep, comma-separated (study, search, upload)"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=2000,
        help="overdue reviews given to each account before a last step at the knee (0: none)",
    )
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--add-backlog", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--settle", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.accounts, args.seed)
        return 0
    if args.settle:
        settle(args.settle)
        return 0
    if args.add_backlog:
        add_backlogs(args.add_backlog, args.backlog)
        return 0
    if args.check:
        check(*args.check)
        return 0

    steps = [int(s) for s in args.steps.split(",") if s.strip()]
    env = dict(os.environ)
    started_here = not args.host
    with ExitStack() as stack:
        if started_here:
            # A stack of its own on a fresh database and an empty Redis database: each run
            # starts from the same state (the rows of earlier runs made searches slower).
            base = env.get("PROD_DATABASE_URL", DEFAULT_DATABASE_URL)
            env["PROD_DATABASE_URL"] = stack.enter_context(throwaway_database(base, "_load"))
            env["PROD_REDIS_URL"] = env.get("BENCH_LOAD_REDIS_URL", DEFAULT_REDIS_URL)
            import redis

            redis.Redis.from_url(env["PROD_REDIS_URL"]).flushdb()
            env["PROD_PORT"] = str(free_port())
            host = f"http://127.0.0.1:{env['PROD_PORT']}"
            print(f"starting the production stack on {host} (scripts/prod_up.sh)", flush=True)
            subprocess.run(["bash", "scripts/prod_up.sh"], cwd=ROOT, env=env, check=True)
        else:
            host = args.host.rstrip("/")
        return measure(args, steps, host, env, started_here)


def measure(
    args: argparse.Namespace, steps: list[int], host: str, env: dict[str, str], started_here: bool
) -> int:
    try:
        with tempfile.TemporaryDirectory() as name:
            tmp = Path(name)
            seeded, answered = tmp / "seeded.json", tmp / "answered.json"
            t0 = time.perf_counter()
            in_stack(f"--accounts={args.accounts}", f"--seed={seeded}", env=env)
            accounts = json.loads(seeded.read_text())["accounts"]
            print(
                f"seeded {len(accounts)} users x {CARDS_PER_USER} cards in "
                f"{time.perf_counter() - t0:.1f}s; {len(steps)} steps of "
                f"{args.duration / len(steps):.0f}s; {os.cpu_count()} CPU cores, shared by the "
                "stack and this client",
                flush=True,
            )
            in_stack(f"--settle={seeded}", env=env)
            backlog = None
            if args.backlog:
                size = args.backlog
                arguments = (f"--backlog={size}", f"--add-backlog={seeded}")
                backlog = (size, lambda: in_stack(*arguments, env=env))
            seconds = args.duration / len(steps)
            found = run_load(host, accounts, steps, seconds, args.only, backlog)
            answered.write_text(json.dumps(found["outcome"]))
            report(found["steps"], found["backlog_step"], args.backlog)
            in_stack("--check", str(seeded), str(answered), env=env)
    finally:
        if started_here:
            subprocess.run(["bash", "scripts/prod_down.sh"], cwd=ROOT, env=env, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
