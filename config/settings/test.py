"""Test settings: the real PostgreSQL and Redis on localhost, eager Celery, fast hashing."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]

# Each xdist worker gets its own Redis key prefix so parallel runs never share cache keys.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"bmms-test-{_worker}",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}

# Tests run tasks in-process; a fault test starts a real worker with a private broker here.
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LLM_BASE_URL = env("TEST_LLM_BASE_URL", default="")
AXES_FAILURE_LIMIT = 5
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".test-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}

# Tests change announcements and clear the cache between tests: never trust a process's copy of
# the announcement list without asking the cache (production: 2 s, rollout/announcements.py).
ANNOUNCEMENT_RECHECK_SECONDS = 0
# Adoption counters reach Redis at every request in tests (production buffers them for 5 s,
# rollout/adoption.py), so no test sees another test's requests.
ADOPTION_FLUSH_SECONDS = 0
