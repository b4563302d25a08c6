"""Settings of the API benchmark: the embedded profile with DEBUG off and no throttling."""

from __future__ import annotations

from config.settings.local import *  # noqa: F403
from config.settings.local import REST_FRAMEWORK

DEBUG = False
ROOT_URLCONF = "bench.apibench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The load generator would hit the production rates within a second.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "ERROR"},
}
