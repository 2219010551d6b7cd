"""WSGI application of the throughput benchmark: production settings, the bench's URLconf."""

from __future__ import annotations

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django.setup()
settings.ROOT_URLCONF = "tests.perf.bench_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
