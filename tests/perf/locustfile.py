"""Load scenario for `make loadtest`: the real mix of personas, bounded in users and time.

Loopback only. Each simulated user signs in once through a session prepared by
tests/perf/loadtest.py (hashing 1,100 passwords would measure PBKDF2, not the portal), then works
with a think time of ~10 s. Personas: MOA staff browsing plans and budgets, editors saving a goal,
approvers on the review queue and budgets, OCM analysts on the dashboard, a few PDF/DOCX exports
and AI draft generations (run by the Celery worker; the page answers at once with a job page).
"""

from __future__ import annotations

import json
import os
import random
from html.parser import HTMLParser

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PERSONAS = json.loads(open(os.environ["BMMS_LOAD_PERSONAS"]).read())  # noqa: SIM115
THINK = float(os.environ.get("BMMS_LOAD_THINK", "10"))


class _FormFields(HTMLParser):
    """The fields of the first POST form of a page, with their current values."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.in_form = False
        self.done = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False
            self.done = True


class PortalUser(FastHttpUser):
    wait_time = between(THINK * 0.5, THINK * 1.5)
    persona: dict

    def on_start(self):
        self.persona = PERSONAS[random.randrange(len(PERSONAS))]
        self.cookie = f"sessionid={self.persona['session']}; csrftoken={self.persona['csrf']}"

    def get(self, path, name=None):
        return self.client.get(path, headers={"Cookie": self.cookie}, name=name or path)

    @task
    def act(self):
        """One action per think time, so 1,100 users make about 110 requests a second: about one
        in 300 an export, one editor action in 750 an AI draft, else browse (10), a detail page
        (2) or, for editors, approvers and org admins, saving a goal (1)."""
        writer = self.persona["kind"] in ("editor", "approver", "org_admin")
        roll = random.random()
        if roll < 1 / 300 and self.persona.get("exports"):
            return self.export()
        if writer and roll < 1 / 300 + 1 / 750 and self.persona.get("generate"):
            return self.generate()
        weights = {"browse": 10, "detail": 2 if self.persona.get("details") else 0}
        weights["save_goal"] = 1 if writer and self.persona.get("goal_edit") else 0
        action = random.choices(list(weights), weights=list(weights.values()))[0]
        getattr(self, action)()

    def browse(self):
        kind = self.persona["kind"]
        if kind == "ocm":
            self.get("/ocm/")
            if random.random() < 0.3:
                self.get(
                    f"/ocm/organizations/{random.choice(self.persona['orgs'])}/",
                    name="/ocm/organizations/[code]/",
                )
            if random.random() < 0.05:
                self.get("/ocm/export/organizations.csv")
            return
        page = random.choice(
            [
                "/",
                "/planning/",
                "/budgeting/",
                "/budgeting/execution/",
                "/bcp/",
                "/coordination/",
                "/org/members/",
            ]
        )
        self.get(page)

    def detail(self):
        self.get(random.choice(self.persona["details"]), name="[detail page]")

    def save_goal(self):
        """Change a goal's current value through the real form (CSRF included)."""
        url = random.choice(self.persona["goal_edit"])
        response = self.get(url, name="/planning/goals/[id]/edit/ (form)")
        parser = _FormFields()
        parser.feed(response.text or "")
        fields = parser.fields
        if "current_value" in fields:
            fields["current_value"] = str(random.randint(0, 100))
        fields["csrfmiddlewaretoken"] = self.persona["csrf"]
        self.client.post(
            url,
            data=fields,
            name="/planning/goals/[id]/edit/ (save)",
            headers={"Cookie": self.cookie, "Referer": url},
        )

    def post(self, url, data, name):
        data = {**data, "csrfmiddlewaretoken": self.persona["csrf"]}
        return self.client.post(
            url, data=data, name=name, headers={"Cookie": self.cookie, "Referer": url}
        )

    def export(self):
        """A PDF or DOCX of the organization's approved BC plan."""
        fmt = random.choice(["pdf", "docx"])
        self.post(
            random.choice(self.persona["exports"]), {"format": fmt}, "/bcp/versions/[id]/export/"
        )

    def generate(self):
        """Ask for an AI-generated draft of a BC plan (the Celery worker writes it)."""
        self.post(random.choice(self.persona["generate"]), {}, "/bcp/[id]/generate/")
