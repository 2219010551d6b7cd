"""schemathesis, driven by /api/openapi.json, against the WSGI application: no 5xx anywhere.

Bounded (20 examples per operation, derandomized, no example database), in-process (no network).
Half of the cases point at real objects of the editor's organization, so bodies and query
strings reach the services instead of stopping at a 404.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcp import services
from config.wsgi import application
from tests.bcp.factories import make_plan

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def no_connection_closing():
    """The real WSGI handler closes "old" connections around each request, which would end the
    test's transaction; Django's test client disconnects the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error(org_a, dept_a, carol, no_connection_closing):
    plan = make_plan(org_a, carol, department=dept_a)
    job = services.generation_request(actor=carol, plan=plan, enqueue=False)
    export = services.export_request(actor=carol, version=plan.versions.get(), fmt="pdf")
    services.export_run(export.pk)
    real_ids = {
        "plan_id": str(plan.public_id),
        "job_id": str(job.public_id),
        "export_id": str(export.public_id),
    }
    token = services.api_token_create(actor=carol, user=carol, name="fuzz")[1]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    failures: list[str] = []
    calls = 0

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), use_real_ids=st.booleans())
        def run(case, use_real_ids):
            nonlocal calls
            if use_real_ids:
                for name in case.path_parameters:
                    case.path_parameters[name] = real_ids[name]
            response = case.call(headers=headers)
            calls += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} {case.body!r} → "
                    f"{response.status_code}"
                )

        run()

    assert calls >= len(operations) * 5
    assert failures == []
