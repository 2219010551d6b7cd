"""The project's URLs plus one deliberately unscoped view, to prove the matrix catches it."""

from __future__ import annotations

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.test_permission_matrix import _unscoped_department

urlpatterns = [
    *project_urlpatterns,
    path("unscoped/<uuid:public_id>/", _unscoped_department, name="unscoped-department"),
]
