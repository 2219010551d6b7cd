"""The browser check (issue 21): every page of the permission matrix's samples, for every persona,
at 1366×900 and 390×844 in Debian's Chromium. A page fails on

- horizontal page overflow: the document wider than the viewport;
- clipped text: a number tile or a table cell (outside a scroll container) whose content is wider
  than its box (scrollWidth > clientWidth);
- console errors, page errors and failed requests (Content-Security-Policy violations included:
  the pages run under the real CSP, axe-core is injected as an init script, which CSP allows);
- axe-core violations of impact serious or critical.

Screenshots go to test-results/screens/<persona>/<page>-<width>.png (git-ignored) so that a
developer can look at every page. `make browser-check` runs it (BMMS_BROWSER_CHECK=1); it is
not part of `make test` because it opens some 1,500 pages. Narrow it while working:

    BMMS_BROWSER_CHECK=1 BROWSER_CHECK_PAGES=ocm: BROWSER_CHECK_PERSONAS=olga \\
        uv run --frozen pytest -n 0 tests/e2e/test_browser_check.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.matrix import build_world, project_samples

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = Path(os.environ.get("BROWSER_CHECK_SCREENS", ROOT / "test-results" / "screens"))
WIDTHS = {1366: 900, 390: 844}
PERSONAS = ["alice", "bob", "carol", "dave", "charlie", "olga", "root"]

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: every persona finds the rows the migrations seed (UAT scripts, flags),
    # which the previous persona's flush removed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        os.environ.get("BMMS_BROWSER_CHECK") != "1",
        reason="the browser check runs with `make browser-check` (BMMS_BROWSER_CHECK=1)",
    ),
]

#: What the page measures: overflow of the document and clipped boxes outside scroll containers.
MEASURE = """
() => {
  const doc = document.documentElement;
  const out = {pageWidth: doc.scrollWidth, viewport: window.innerWidth, clipped: []};
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };
  document.querySelectorAll(".tile-value, td, th").forEach((el) => {
    if (!el.offsetParent || scrolls(el)) return;
    if (el.scrollWidth > el.clientWidth + 1) {
      out.clipped.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
        ` «${el.textContent.trim().slice(0, 40)}» ${el.scrollWidth}>${el.clientWidth}`);
    }
  });
  return out;
}
"""
AXE_RUN = """
async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${JSON.stringify(v.nodes[0].target)}`);
}
"""


def _wanted(name: str, variable: str) -> bool:
    wanted = os.environ.get(variable, "")
    return not wanted or any(part and part in name for part in wanted.split(","))


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def full_pages(user, world) -> tuple[list[tuple[str, str]], list[str]]:
    """(sample key, URL) of every sample page this persona gets as a whole HTML page (200), plus
    one 403 and one 404 page; and the samples that could not be built (reported, not hidden)."""
    client = Client()
    client.force_login(user)
    pages, refused, broken = [], {}, []
    for key, sample in sorted(project_samples().items()):
        if not _wanted(key, "BROWSER_CHECK_PAGES"):
            continue
        try:
            url = reverse(key, kwargs=sample.resolve_kwargs(world))
        except Exception as error:  # noqa: BLE001 - a sample that cannot resolve is reported
            broken.append(f"{key}: {error}")
            continue
        try:
            response = client.get(url)
        except RuntimeError:
            # The health checks run async code, which Playwright's event loop in this thread
            # forbids: they are JSON, not pages.
            continue
        html = response.get("Content-Type", "").startswith("text/html")
        whole = html and b"<html" in response.content[:500]
        if response.status_code == 200 and whole:
            pages.append((key, url))
        elif response.status_code in (403, 404) and whole:
            refused.setdefault(response.status_code, (f"{key} ({response.status_code})", url))
    return pages + list(refused.values()), broken


@pytest.fixture
def world(personas):
    return build_world(personas)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if _wanted(p, "BROWSER_CHECK_PERSONAS")])
def test_every_page_fits_reads_and_passes_axe(persona, personas, world, browser, live_server):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    user = personas[persona]
    pages, broken = full_pages(user, world)
    assert pages, f"{persona} has no page to check"
    session = Client()
    session.force_login(user)
    cookie = session.cookies["sessionid"].value
    problems: list[str] = []
    report = SCREENS / f"{persona}-problems.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("", encoding="utf-8")
    for width, height in WIDTHS.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        context.add_init_script(path=str(AXE))
        context.set_default_timeout(20_000)
        page = context.new_page()
        messages: list[str] = []
        page.on(
            "console",
            lambda m, messages=messages: m.type == "error" and messages.append(m.text),
        )
        page.on("pageerror", lambda e, messages=messages: messages.append(f"page error: {e}"))
        for key, url in pages:
            messages.clear()
            where = f"{persona} {width}px {key} {url}"
            response = page.goto(url, wait_until="load")
            expected_error = key.endswith(("(403)", "(404)"))
            if response is None or (response.status != 200 and not expected_error):
                problems.append(f"{where}: status {response and response.status}")
                continue
            page.wait_for_load_state("networkidle")
            folder = SCREENS / persona
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{_slug(key)}-{width}.png"), full_page=True)
            measured = page.evaluate(MEASURE)
            if measured["pageWidth"] > measured["viewport"]:
                problems.append(
                    f"{where}: page is {measured['pageWidth']} px wide "
                    f"(viewport {measured['viewport']})"
                )
            problems += [f"{where}: clipped {c}" for c in measured["clipped"]]
            # The 403/404 pages log their own status as a failed resource: that is expected.
            console = [m for m in messages if not (expected_error and "status of 40" in m)]
            problems += [f"{where}: console: {m}" for m in console]
            problems += [f"{where}: axe {v}" for v in page.evaluate(AXE_RUN)]
            # Written as it goes: a long run shows its findings before it ends.
            report.write_text("\n".join(problems) + "\n", encoding="utf-8")
        context.close()
    report.write_text("\n".join(broken + problems) + "\n", encoding="utf-8")
    assert not broken, "\n".join(broken)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
