"""The production profile, loaded in a fresh process from the environment as in a deployment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
from django.conf import settings
django.setup()
from django.db.backends.postgresql.psycopg_any import is_psycopg3
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "psycopg3": is_psycopg3,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_ignores_outages": settings.CACHES["default"].get("OPTIONS", {}).get("IGNORE_EXCEPTIONS"),
    "session_engine": settings.SESSION_ENGINE,
    "session_cache_ignores_outages": settings.CACHES[settings.SESSION_CACHE_ALIAS]
    .get("OPTIONS", {}).get("IGNORE_EXCEPTIONS", False),
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "reject_on_worker_lost": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "debug": settings.DEBUG,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT,
    "email_tls": settings.EMAIL_USE_TLS,
}))
"""


def production_env(**overrides: str) -> dict[str, str]:
    """A deployment's environment: nothing inherited that could change the outcome."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgres://recall:secret@db.internal:5432/recall",
        REDIS_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="recall.example.org",
        CSRF_TRUSTED_ORIGINS="https://recall.example.org",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
        EMAIL_HOST_USER="recall",
        EMAIL_HOST_PASSWORD="mail-secret",
        DEFAULT_FROM_EMAIL="Recall <recall@example.org>",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value != ""}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def probe(**overrides: str) -> dict:
    result = run(["-c", PROBE], production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_a_proper_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def test_check_deploy_warns_when_https_protections_are_switched_off():
    # The same command does catch a weakened environment (the loopback stack's settings).
    env = production_env(SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W008" in output and "security.W012" in output


@pytest.mark.parametrize("secret", ["", "too-short"])
def test_refuses_to_start_without_a_real_secret_key(secret):
    result = run(["manage.py", "check"], production_env(SECRET_KEY=secret))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_services_come_from_the_environment():
    cfg = probe()
    assert cfg["engine"] == "django.db.backends.postgresql"
    assert cfg["psycopg3"] is True
    assert cfg["conn_max_age"] == 60 and cfg["health_checks"] is True
    assert cfg["cache"] == "django_redis.cache.RedisCache"
    # The cache degrades while Redis is down; sessions do not (the request gets a 503).
    assert cfg["cache_ignores_outages"] is True
    assert cfg["session_engine"] == "django.contrib.sessions.backends.cache"
    assert cfg["session_cache_ignores_outages"] is False
    assert cfg["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert cfg["broker"] == cfg["result_backend"] == "redis://cache.internal:6379/0"
    assert cfg["eager"] is False
    assert cfg["acks_late"] is True and cfg["reject_on_worker_lost"] is True
    assert cfg["allowed_hosts"] == ["recall.example.org"]
    assert cfg["debug"] is False
    assert cfg["ssl_redirect"] is True and cfg["session_cookie_secure"] is True
    assert cfg["hsts"] > 0
    assert cfg["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (cfg["email_host"], cfg["email_port"], cfg["email_tls"]) == (
        "smtp.example.org",
        587,
        True,
    )


def test_rabbitmq_broker_by_url_without_redis():
    cfg = probe(REDIS_URL="", CELERY_BROKER_URL="amqp://guest:guest@mq.internal:5672//")
    assert cfg["broker"] == "amqp://guest:guest@mq.internal:5672//"
    assert cfg["result_backend"] == "rpc://"
    assert cfg["eager"] is False


def test_loopback_stack_overrides_and_visibility_timeout():
    cfg = probe(
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CELERY_VISIBILITY_TIMEOUT="7",
    )
    assert cfg["ssl_redirect"] is False
    assert cfg["session_cookie_secure"] is False
    assert cfg["hsts"] == 0
    assert cfg["visibility_timeout"] == 7
