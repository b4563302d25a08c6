"""Settings of the API benchmark: the embedded profile with DEBUG off and no throttling."""

from __future__ import annotations

import warnings

from config.settings.local import *  # noqa: F403
from config.settings.local import REST_FRAMEWORK

# Static files are not collected for a benchmark; whitenoise would warn once per worker.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

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
