"""The OCM analyst's tour: 44 organizations, MOH's drill-down, a CSV download, a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from organizations.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def test_ocm_analyst_reads_the_dashboard(page, sign_in, tmp_path):
    call_command("load_organizations", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sign_in("ocm.analyst@bmms.demo", DEMO_PASSWORD)
    page.get_by_role("link", name="OCM dashboard").click()
    expect(
        page.get_by_role("heading", name="The Bangsamoro government at a glance")
    ).to_be_visible()
    expect(page.get_by_text("Data as of")).to_be_visible()
    table = page.locator("section", has=page.get_by_role("heading", name="All organizations"))
    expect(table.locator("tbody tr")).to_have_count(44)
    expect(page.locator("body[data-charts-ready='true']")).to_have_count(1)  # Chart.js ran
    expect(page.locator("[data-kpi='approved'] .tile-value")).to_contain_text("₱")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ocm-dashboard.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all organizations (CSV)").click()
    saved = tmp_path / "organizations.csv"
    download_info.value.save_as(saved)
    assert re.fullmatch(
        r"ocm-organizations-\d{4}-\d{2}-\d{2}-\d{4}\.csv", download_info.value.suggested_filename
    )
    text = saved.read_text(encoding="utf-8-sig")
    assert text.startswith("Code,") and "MOH,Ministry of Health" in text
    assert len(text.strip().splitlines()) == 1 + 44

    table.get_by_role("link", name="MOH", exact=True).click()
    expect(page.get_by_role("heading", name="Ministry of Health (MOH)")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Members")
