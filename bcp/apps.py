from __future__ import annotations

from django.apps import AppConfig


class BcpConfig(AppConfig):
    name = "bcp"
    verbose_name = "Business continuity"
