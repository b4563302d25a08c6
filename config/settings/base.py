"""Settings shared by every profile, read from the environment (12-factor).

Unset variables mean the embedded default: SQLite, local-memory cache, eager
Celery tasks, SQLite FTS5 search.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Core
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_NAME = env.str("SITE_NAME", default="Recall")

# Internationalisation
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Applications
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_celery_beat",
    "channels",
]
LOCAL_APPS = [
    "recall.core",
    "recall.accounts",
    "recall.jobs",
    "recall.decks",
    "recall.study",
    "recall.semantic",
    "recall.search",
    "recall.sources",
    "recall.interview",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First to see each response leave: a 404 under /api/ becomes the JSON error shape.
    "recall.core.middleware.ApiNotFoundMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Dates and times on pages are shown in the signed-in user's time zone.
    "recall.accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the others, so that it sees a view's exception first: a service outage becomes
    # a 503 (django-axes has no exception hook, so it can stay last).
    "recall.core.outages.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "recall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections with health checks: cheap reuse, no stale sockets.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: a search ranking every match of a common word (a full scan of a million-row
    # index table) crosses jit_above_cost and spent ~20 ms per worker compiling code that
    # saves less than that; Recall's queries are short OLTP queries (bench/search.py).
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: pages keep reading while an import writes, and a commit costs no journal fsync
    # (NORMAL is crash-safe in WAL mode; only a power cut can lose the last commit).
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    # Concurrent writes queue instead of failing with "database is locked": a transaction
    # takes the write lock when it begins (a deferred one that read first cannot upgrade
    # while another writer committed, busy timeout or not), and waits up to this many
    # seconds for it.
    _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite_options.setdefault("timeout", env.int("SQLITE_BUSY_TIMEOUT", default=20))

# Cache and sessions: local memory unless REDIS_URL is set.
REDIS_URL = env.str("REDIS_URL", default="")
# The default cache holds what can be rebuilt (statistics, throttle counts, job progress):
# while Redis is down it misses and drops writes instead of failing the request
# (django-redis's IGNORE_EXCEPTIONS). Sessions are not rebuildable: their alias fails, and
# the request gets a 503 (recall.core.middleware) rather than a silent logout.
REDIS_CACHE_OPTIONS = {
    "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=2.0),
    "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=2.0),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**REDIS_CACHE_OPTIONS, "IGNORE_EXCEPTIONS": True},
        },
        "sessions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"
    # Each skipped cache operation is logged with its cause: the outage stays visible.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Channels: Redis layer when Redis is configured, in-memory otherwise.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: eager in-process unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Work must not be lost when a worker dies: acknowledge after the task ran,
# and hand the message back if the worker child was killed.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Search
# Unset: the full-text engine of the configured database (sqlite FTS5 or postgres).
SEARCH_BACKEND = env.str(
    "SEARCH_BACKEND",
    default="postgres" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite",
)
# PostgreSQL ranks at most this many matching cards per search; beyond, the total shows "N+".
SEARCH_RANK_WINDOW = env.int("SEARCH_RANK_WINDOW", default=5000)
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
ELASTICSEARCH_INDEX = env.str("ELASTICSEARCH_INDEX", default="recall-cards")
# Meaning-aware search (the optional `semantic` extra): embed notes after every import/edit.
SEMANTIC_EMBED_ON_CHANGE = env.bool("SEMANTIC_EMBED_ON_CHANGE", default=True)

# Passwords
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login (site and admin) before the model backend: after
# AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused (429) for AXES_COOLOFF_MINUTES, even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Username and address together: a stranger cannot lock a user out from elsewhere, and a
# shared address (an office behind one NAT) does not lock out everyone at once.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "recall.accounts.views.lockout_response"
# The client address as DRF's throttles see it (REST_FRAMEWORK["NUM_PROXIES"]).
AXES_CLIENT_IP_CALLABLE = "recall.core.throttling.client_ip"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "recall" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads waiting for their import job: private, outside MEDIA_ROOT (which is served).
# Unset: "uploads" beside MEDIA_ROOT. Web processes and workers must share it.
RECALL_UPLOAD_ROOT = env.str("RECALL_UPLOAD_ROOT", default="")

# Uploads and imports, limits shared with nginx's client_max_body_size: notes files, CSVs
# and zips up to RECALL_MAX_UPLOAD_MB; Anki packages, which carry their media, up to
# RECALL_MAX_APKG_MB (never less than the other).
RECALL_MAX_UPLOAD_MB = env.int("RECALL_MAX_UPLOAD_MB", default=20)
RECALL_MAX_UPLOAD_BYTES = RECALL_MAX_UPLOAD_MB * 1024 * 1024
RECALL_MAX_APKG_MB = env.int("RECALL_MAX_APKG_MB", default=100)
RECALL_MAX_APKG_BYTES = RECALL_MAX_APKG_MB * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = RECALL_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Total bytes an archive may expand to, and the number of members it may hold.
RECALL_MAX_ARCHIVE_BYTES = env.int("RECALL_MAX_ARCHIVE_BYTES", default=200 * 1024 * 1024)
RECALL_MAX_ARCHIVE_MEMBERS = env.int("RECALL_MAX_ARCHIVE_MEMBERS", default=5000)
# Largest single media file (image, sound) an Anki .apkg may bring in.
RECALL_MAX_MEDIA_FILE_BYTES = env.int("RECALL_MAX_MEDIA_FILE_BYTES", default=20 * 1024 * 1024)
# A card's question or answer, in UTF-8 kilobytes: rendering one costs a few hundred times
# its size in memory, so this bounds every render (web, API, imports; see decks/limits.py).
RECALL_MAX_FIELD_KB = env.int("RECALL_MAX_FIELD_KB", default=100)

# E-mail: console in development, SMTP when EMAIL_URL-style settings are given.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Recall <recall@localhost>")

# REST framework
REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with WWW-Authenticate, not 403.
    # Tokens are named, per user and revocable (recall.accounts.tokens).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recall.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "recall.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Adds the documented error responses (400/401/403/404/409/429) to every operation.
    "DEFAULT_SCHEMA_CLASS": "recall.core.schema.RecallAutoSchema",
    "EXCEPTION_HANDLER": "recall.core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        # Wrong API tokens per client address: past it every token from there gets 429.
        "bad_token": env.str("THROTTLE_BAD_TOKEN", default="10/min"),
    },
    # Proxies in front of Django that append to X-Forwarded-For (nginx: 1). 0 trusts no
    # header and throttles by the socket address, which a client cannot forge.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Recall API",
    "DESCRIPTION": "Decks, cards, search and spaced-repetition study for your own notes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc served from our own static files (no CDN in the CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy (django-csp) on every response: scripts only from our origin or
# carrying the per-request nonce, so an injected inline script or handler never runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Rendered notes keep a text-align style on table cells (the sanitiser allows no more).
        "style-src-attr": [UNSAFE_INLINE],
        # Notes may show images from the web.
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Study (FSRS)
RECALL_DEFAULT_RETENTION = 0.9
RECALL_OPTIMIZE_MIN_REVIEWS = env.int("RECALL_OPTIMIZE_MIN_REVIEWS", default=400)
# FSRS' interval fuzz (spreads cards learnt together); seeded per card, so previews hold.
RECALL_FSRS_FUZZ = env.bool("RECALL_FSRS_FUZZ", default=True)

# Link checker: requests in flight overall and per host, seconds per request; private
# addresses are refused (server-side request forgery) unless explicitly allowed.
RECALL_LINKCHECK_CONCURRENCY = env.int("RECALL_LINKCHECK_CONCURRENCY", default=10)
RECALL_LINKCHECK_PER_HOST = env.int("RECALL_LINKCHECK_PER_HOST", default=2)
RECALL_LINKCHECK_TIMEOUT = env.float("RECALL_LINKCHECK_TIMEOUT", default=10.0)
RECALL_LINKCHECK_ALLOW_PRIVATE = env.bool("RECALL_LINKCHECK_ALLOW_PRIVATE", default=False)
# Links are checked again when their last check is older than this many days.
RECALL_LINKCHECK_MAX_AGE_DAYS = env.int("RECALL_LINKCHECK_MAX_AGE_DAYS", default=7)

# Sources (decks kept in sync with a Git repository or a server folder). Credentials are
# encrypted with RECALL_SOURCE_KEY (a Fernet key; unset: derived from SECRET_KEY). Server
# folders, and file:// repositories, are allowed only under RECALL_SOURCE_ROOTS.
RECALL_SOURCE_KEY = env.str("RECALL_SOURCE_KEY", default="")
RECALL_SOURCE_ROOTS = env.list("RECALL_SOURCE_ROOTS", default=[])
RECALL_SOURCE_SCHEMES = env.list("RECALL_SOURCE_SCHEMES", default=["https", "ssh"])
RECALL_SOURCE_ALLOW_PRIVATE = env.bool("RECALL_SOURCE_ALLOW_PRIVATE", default=False)
RECALL_SOURCE_MAX_BYTES = env.int("RECALL_SOURCE_MAX_BYTES", default=50 * 1024 * 1024)
RECALL_SOURCE_MAX_FILES = env.int("RECALL_SOURCE_MAX_FILES", default=500)
RECALL_SOURCE_TIMEOUT = env.int("RECALL_SOURCE_TIMEOUT", default=120)
# SSH repositories: host keys are always checked (StrictHostKeyChecking=yes, never a prompt);
# empty values keep ssh's defaults (~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts, ~/.ssh/config).
RECALL_SOURCE_SSH_KNOWN_HOSTS = env.str("RECALL_SOURCE_SSH_KNOWN_HOSTS", default="")
RECALL_SOURCE_SSH_CONFIG = env.str("RECALL_SOURCE_SSH_CONFIG", default="")

# Logging: one line per record on stderr, picked up by supervisor or Docker.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
