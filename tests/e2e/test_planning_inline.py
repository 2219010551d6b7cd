"""Issue 21: the inline "add a goal" and "add an objective" forms fit the screen (390 and 1366
px), and saving a goal updates the list and the Goals tile at once (no stale "No goals yet")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.planning.factories import (
    AnnualWorkPlanFactory,
    StrategicGoalFactory,
    StrategicPlanFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [(390, 844), (1366, 900)]

# Every visible field of the open form: inside the viewport, not overlapping another one.
LAYOUT_PROBLEMS = """(selector) => {
  const form = document.querySelector(selector);
  if (!form) return ['no form ' + selector];
  const problems = [];
  const width = document.documentElement.clientWidth;
  const boxes = [...form.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .map(el => [el.name || el.textContent.trim(), el.getBoundingClientRect()]);
  for (const [name, r] of boxes) {
    if (r.left < 0 || r.right > width + 1)
      problems.push(`${name} cut off: ${r.left}-${r.right} of ${width}`);
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    const apart = ra.right - 1 <= rb.left || rb.right - 1 <= ra.left
      || ra.bottom - 1 <= rb.top || rb.bottom - 1 <= ra.top;
    if (!apart)
      problems.push(`${a} overlaps ${b}`);
  }
  if (document.documentElement.scrollWidth > width + 1) problems.push('page wider than the screen');
  return problems;
}"""


def _open(page, sign_in, user, url, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(user.email, "pass-word-123")
    page.goto(url)


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
def test_adding_a_goal_fits_and_updates_list_and_tile(size, org_a, carol, page, sign_in):
    plan = StrategicPlanFactory(organization=org_a, created_by=carol, title="Health plan")
    _open(page, sign_in, carol, f"/planning/{plan.public_id}/", size)
    goals_tile = page.locator(".tile", has_text="Goals")
    expect(goals_tile.locator(".tile-value")).to_have_text("0")
    expect(page.get_by_text("No goals yet")).to_be_visible()

    page.get_by_role("link", name="Add a goal").click()
    expect(page.get_by_label("Title")).to_be_visible()
    assert page.evaluate(LAYOUT_PROBLEMS, "main form[hx-post]") == []
    page.screenshot(path=f"test-results/screens-landing/goal-form-{size[0]}.png", full_page=True)

    page.get_by_label("Title").fill("Immunize every child")
    page.get_by_label("Target metric").fill("Fully immunized (%)")
    page.get_by_label("Baseline value").fill("60")
    page.get_by_label("Target value").fill("100")
    page.get_by_label("Current value").fill("80")
    page.get_by_role("button", name="Save goal").click()

    expect(page.locator("tr[data-goal='Immunize every child']")).to_be_visible()
    expect(page.get_by_text("No goals yet")).to_have_count(0)
    expect(goals_tile.locator(".tile-value")).to_have_text("1")
    expect(page.locator("#plan-progress")).to_have_text("50%")
    page.screenshot(path=f"test-results/screens-landing/goal-saved-{size[0]}.png", full_page=True)

    # A second goal, then editing the first: same form, same fit.
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Title").fill("Clean water")
    page.get_by_label("Target metric").fill("Households (%)")
    page.get_by_label("Target value").fill("90")
    page.get_by_role("button", name="Save goal").click()
    expect(goals_tile.locator(".tile-value")).to_have_text("2")
    page.locator("tr[data-goal='Clean water']").get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Title")).to_have_value("Clean water")
    assert page.evaluate(LAYOUT_PROBLEMS, "main form[hx-post]") == []


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
def test_adding_an_objective_fits_and_updates_the_list(size, org_a, carol, page, sign_in):
    plan = StrategicPlanFactory(organization=org_a, created_by=carol, title="Health plan")
    StrategicGoalFactory(plan=plan, title="Immunize every child")
    work_plan = AnnualWorkPlanFactory(plan=plan, year=2026)
    _open(page, sign_in, carol, f"/planning/work-plans/{work_plan.public_id}/", size)
    expect(page.get_by_text("No objectives yet")).to_be_visible()

    page.get_by_role("link", name="Add an objective").click()
    expect(page.get_by_label("Title")).to_be_visible()
    assert page.evaluate(LAYOUT_PROBLEMS, "main form[hx-post]") == []
    page.screenshot(
        path=f"test-results/screens-landing/objective-form-{size[0]}.png", full_page=True
    )
    page.get_by_label("Title").fill("Vaccinate in 20 barangays")
    page.get_by_label("Indicator").fill("Barangays reached")
    page.get_by_label("Target value").fill("20")
    page.get_by_label("Current value").fill("5")
    page.get_by_role("button", name="Save objective").click()
    expect(page.locator("tr[data-objective='Vaccinate in 20 barangays']")).to_be_visible()
    expect(page.get_by_text("No objectives yet")).to_have_count(0)
