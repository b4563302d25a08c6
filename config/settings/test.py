"""Test profile: fast hashing, locmem e-mail, eager tasks unless a test asks for a real worker."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "recall-test-key-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / ".test-media"))  # noqa: F405
# Throttles out of the way; tests/core/test_api_throttling.py and the brute-force tests lower them.
# A copy, so config.settings.base keeps the configured rates for the tests that use them.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/min",
        "user": "100000/min",
        "bad_token": "100000/min",
    },
}
# django-axes keeps its production limits: its attempts live in the test database, which
# each test rolls back, so no test inherits another's failed logins.
# Most tests never need the embedding model (5 s to load): tests/semantic switch it on.
SEMANTIC_EMBED_ON_CHANGE = env.bool("SEMANTIC_EMBED_ON_CHANGE", default=False)
