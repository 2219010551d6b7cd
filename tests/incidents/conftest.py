from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from incidents.sms import ConsoleSender
from tests.incidents.factories import approved_plan_with_people, declare


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def _empty_sms_log():
    ConsoleSender.sent.clear()
    yield
    ConsoleSender.sent.clear()


@pytest.fixture
def now():
    """A fixed "now" for the services (the controllable clock)."""
    return timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=2)


@pytest.fixture
def setup(org_a, carol, alice, dave):
    """An approved organization-wide plan of org A (see factories)."""
    return approved_plan_with_people(org_a, carol, [alice, dave])


@pytest.fixture
def incident(setup, org_a, carol, now, django_capture_on_commit_callbacks):
    """A major incident declared 30 minutes after it started; its messages are sent."""
    with django_capture_on_commit_callbacks(execute=True):
        return declare(carol, org_a, now=now)
