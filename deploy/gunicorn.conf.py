"""gunicorn settings for config.wsgi (the synchronous Django app behind nginx).

Every value can be overridden from the environment, so the same file serves the Docker
image (TCP on 0.0.0.0:8000) and `make prod-up` (a unix socket under ./var/run).
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# (2 x cores) + 1 is gunicorn's rule of thumb for a sync app waiting on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# One thread per worker (sync workers; nginx buffers slow clients): under bench/load.py,
# two threads per worker made a short "next card" wait for the GIL behind a search in the
# other thread; 4 workers x 1 thread carried 34.9 reviews/s at 16 users where 2 x 2 carried
# 18.4 (2 CPUs).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Uploads are parsed in the request; a big import is handed to Celery, so 60 s is ample.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then: bounds the damage of a slow leak, jitter avoids a stampede.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Logs on stdout/stderr: supervisor or Docker collects them.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "recall-gunicorn"
# nginx is the only client; it sets X-Forwarded-* and Django trusts X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The socket file must be reachable by nginx's workers, which may run as another user.
umask = 0o007
# gunicorn >= 24 opens a control socket in $HOME by default; nothing here uses it.
control_socket_disable = True


# The app is loaded once, in the master, and each worker is a fork of it: a worker starts
# in milliseconds (max_requests restarts included) and shares the sentence model's memory.
# Loaded in each worker, the model cost ~4 s of CPU per start, and max_requests restarted
# every worker within seconds of the others: a 4.4 s grade p95 under bench/load.py.
preload_app = True


def when_ready(server: object) -> None:
    # Before the first fork. Loaded only, never run: see load_before_fork.
    from recall.semantic.embeddings import load_before_fork

    load_before_fork()
