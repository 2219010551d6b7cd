"""The persona mix of tests/perf/locustfile.py against the cluster, recording every request.

Two changes for the fault checks: a page that lands on the sign-in form counts as a failure (the
session was lost), and no AI drafts are requested (the fault checks script the stub LLM's answers
themselves). Each request is written to BMMS_CLUSTER_EVENTS as [start time, name, ok, error].
"""

from __future__ import annotations

import json
import os
import time

from locust import events

import tests.perf.locustfile as base

EVENTS: list[list] = []


@events.request.add_listener
def _record(name, response_time, exception=None, start_time=None, **kwargs):
    started = start_time or (time.time() - response_time / 1000)
    if exception is None:
        error = ""
    elif getattr(exception, "code", None):
        error = f"HTTP {exception.code}"
    else:
        error = f"{type(exception).__name__}: {str(exception)[-80:]}"
    EVENTS.append([started, name, exception is None, error])


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["BMMS_CLUSTER_EVENTS"], "w") as handle:
        json.dump(EVENTS, handle)


class ClusterUser(base.PortalUser):
    def get(self, path, name=None):
        with self.client.get(
            path,
            headers={"Cookie": self.cookie},
            name=name or path,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if "/accounts/login/" in (response.headers.get("Location") or ""):
                response.failure("session lost: sent to the sign-in form")
            elif response.status_code >= 400 or response.status_code == 0:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
        return response

    def generate(self):
        self.browse()
