#!/usr/bin/env bash
# Environment of the loopback production stack; sourced by prod_up.sh, prod_down.sh and
# scripts/prod_manage.sh. Also written to $RECALL_VAR/prod.env for other tools (tests).
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
RECALL_ROOT="$ROOT"
RECALL_VAR="${RECALL_VAR:-$ROOT/var}"
mkdir -p "$RECALL_VAR"
RECALL_VAR="$(cd "$RECALL_VAR" && pwd)"
RECALL_BIN="${RECALL_BIN:-$ROOT/.venv/bin}"
PROD_HOST="${PROD_HOST:-127.0.0.1}"
PROD_PORT="${PROD_PORT:-8080}"

# A SECRET_KEY made once on this machine and kept (mode 600) with the other runtime files.
if [ ! -s "$RECALL_VAR/secret_key" ]; then
  (umask 077 && "$RECALL_BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))" \
    >"$RECALL_VAR/secret_key")
fi

if [ -x "$RECALL_BIN/supervisord" ]; then SUPERVISORD="$RECALL_BIN/supervisord"; SUPERVISORCTL="$RECALL_BIN/supervisorctl"
else SUPERVISORD="$(command -v supervisord || echo /usr/bin/supervisord)"; SUPERVISORCTL="$(command -v supervisorctl || echo /usr/bin/supervisorctl)"; fi
NGINX_BIN="${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"

export RECALL_ROOT RECALL_VAR RECALL_BIN NGINX_BIN PROD_HOST PROD_PORT
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="$(cat "$RECALL_VAR/secret_key")"
export DATABASE_URL="${PROD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/recall_prod}"
export REDIS_URL="${PROD_REDIS_URL:-redis://127.0.0.1:6379/3}"
export CELERY_BROKER_URL="${PROD_BROKER_URL:-$REDIS_URL}"
export CELERY_RESULT_BACKEND="${PROD_RESULT_BACKEND:-$REDIS_URL}"
export CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"
export SEARCH_BACKEND="${SEARCH_BACKEND:-postgres}"
export ALLOWED_HOSTS="$PROD_HOST,localhost,127.0.0.1"
export CSRF_TRUSTED_ORIGINS="http://$PROD_HOST:$PROD_PORT,http://localhost:$PROD_PORT"
# Plain HTTP on loopback: no HTTPS redirect, no secure-only cookies, no HSTS.
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECURE_HSTS_SECONDS=0
export STATIC_ROOT="$RECALL_VAR/static" MEDIA_ROOT="$RECALL_VAR/media"
# Mail (the nightly digest) lands in files instead of an SMTP server.
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$RECALL_VAR/mail"
export RECALL_MAX_UPLOAD_MB="${RECALL_MAX_UPLOAD_MB:-20}"
export RECALL_MAX_APKG_MB="${RECALL_MAX_APKG_MB:-100}"
# nginx template values.
export NGINX_LISTEN="$PROD_HOST:$PROD_PORT"
export NGINX_USER="$(id -un)"
export NGINX_PID="$RECALL_VAR/run/nginx.pid"
export NGINX_ERROR_LOG="$RECALL_VAR/log/nginx-error.log"
export NGINX_ACCESS_LOG="$RECALL_VAR/log/nginx-access.log"
export NGINX_TEMP_DIR="$RECALL_VAR/nginx"
export WSGI_UPSTREAM="unix:$RECALL_VAR/run/gunicorn.sock"
export ASGI_UPSTREAM="unix:$RECALL_VAR/run/uvicorn.sock"
export GUNICORN_BIND="unix:$RECALL_VAR/run/gunicorn.sock"
# Two sync workers per core: one runs while the other waits on the database.
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-$(( $(nproc) * 2 ))}"

supervisor_alive() {
  local pidfile="$RECALL_VAR/run/supervisord.pid"
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# Written for tools that need the same environment (tests, prod_manage.sh).
{
  for name in DJANGO_SETTINGS_MODULE SECRET_KEY DATABASE_URL REDIS_URL CELERY_BROKER_URL \
    CELERY_RESULT_BACKEND SEARCH_BACKEND ALLOWED_HOSTS CSRF_TRUSTED_ORIGINS SECURE_SSL_REDIRECT \
    SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE SECURE_HSTS_SECONDS STATIC_ROOT MEDIA_ROOT \
    EMAIL_BACKEND EMAIL_FILE_PATH RECALL_MAX_UPLOAD_MB PROD_HOST PROD_PORT; do
    printf '%s=%s\n' "$name" "${!name}"
  done
} >"$RECALL_VAR/prod.env"
chmod 600 "$RECALL_VAR/prod.env"
