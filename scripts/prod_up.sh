#!/usr/bin/env bash
# make prod-up: the production stack on this machine without Docker.
# supervisord (deploy/supervisord.conf) runs gunicorn, uvicorn, a Celery worker, beat and nginx
# on a loopback port, against the local PostgreSQL and Redis. Every runtime file (pid, sockets,
# logs, rendered configs, the generated SECRET_KEY) lives under ./var (git-ignored).
#
# Settings (environment, all optional):
#   PROD_HOST=127.0.0.1 PROD_PORT=8080     where nginx listens
#   PROD_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/recall_prod (created if missing)
#   PROD_REDIS_URL     default redis://127.0.0.1:6379/3 (cache, sessions, channels, Celery)
#   PROD_BROKER_URL    default PROD_REDIS_URL (amqp://guest:guest@127.0.0.1:5672// works too)
#   RECALL_VAR         default ./var
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/prod_env.sh
source scripts/prod_env.sh

log() { printf 'prod-up: %s\n' "$*"; }
die() { printf 'prod-up: ERROR: %s\n' "$*" >&2; exit 1; }

if supervisor_alive; then
  log "already running (supervisord pid $(cat "$RECALL_VAR/run/supervisord.pid")); make prod-down first"
  exit 0
fi
[ -x "$NGINX_BIN" ] || die "nginx not found (apt-get install nginx, or make system-deps)"
[ -x "$SUPERVISORD" ] || die "supervisord not found (apt-get install supervisor, or make install)"

mkdir -p "$RECALL_VAR"/{run,log,nginx,static,media,mail}
rm -f "$RECALL_VAR"/run/*.sock

# The database: created when missing (trust auth on this machine's PostgreSQL).
"$RECALL_BIN/python" - <<'PY' || die "PostgreSQL is not reachable at $DATABASE_URL"
import os, sys
from urllib.parse import urlsplit
import psycopg
from psycopg import sql
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"prod-up: created database {name}")
PY
"$RECALL_BIN/python" - <<'PY' || die "Redis is not reachable at $REDIS_URL"
import os, redis
redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
PY

log "migrate"
"$RECALL_BIN/python" manage.py migrate --noinput >"$RECALL_VAR/log/migrate.log" 2>&1 \
  || { tail -n 30 "$RECALL_VAR/log/migrate.log"; die "migrate failed"; }
log "collectstatic"
"$RECALL_BIN/python" manage.py collectstatic --noinput >"$RECALL_VAR/log/collectstatic.log" 2>&1 \
  || { tail -n 30 "$RECALL_VAR/log/collectstatic.log"; die "collectstatic failed"; }

"$RECALL_BIN/python" scripts/render_template.py deploy/nginx.conf "$RECALL_VAR/nginx.conf"
"$NGINX_BIN" -t -q -p "$RECALL_VAR" -c "$RECALL_VAR/nginx.conf" -e "$RECALL_VAR/log/nginx-error.log" \
  || die "nginx rejected $RECALL_VAR/nginx.conf"

log "starting supervisord ($SUPERVISORD)"
"$SUPERVISORD" -c deploy/supervisord.conf

# Up means: every program RUNNING (past its startsecs) and a page answered through nginx.
all_running() {
  local out
  out="$("$SUPERVISORCTL" -c deploy/supervisord.conf status 2>/dev/null)" || true
  [ -n "$out" ] && ! grep -qv ' RUNNING ' <<<"$out"
}
url="http://$PROD_HOST:$PROD_PORT/healthz/"
for _ in $(seq 1 120); do
  if all_running \
     && "$RECALL_BIN/python" -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('$url', timeout=2).status != 200)" 2>/dev/null \
     && [ -S "$RECALL_VAR/run/uvicorn.sock" ]; then
    "$SUPERVISORCTL" -c deploy/supervisord.conf status
    log "up: http://$PROD_HOST:$PROD_PORT/ (logs in $RECALL_VAR/log, stop with make prod-down)"
    exit 0
  fi
  sleep 0.5
done
"$SUPERVISORCTL" -c deploy/supervisord.conf status || true
for f in gunicorn uvicorn worker beat nginx-error; do
  [ -f "$RECALL_VAR/log/$f.log" ] && { echo "== $f.log"; tail -n 20 "$RECALL_VAR/log/$f.log"; }
done
bash scripts/prod_down.sh || true
die "the stack did not come up within 60 s"
