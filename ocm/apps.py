from __future__ import annotations

from django.apps import AppConfig


class OcmConfig(AppConfig):
    name = "ocm"
    verbose_name = "OCM dashboard"
