"""The "Rollout team" group, the three waves of the rollout plan and a UAT script per module."""

from django.db import migrations

MODULES = ["planning", "budgeting", "coordination", "bcp"]
WAVES = [
    (1, "Pilots (MOH, MOLE, MAFAR)"),
    (2, "Larger ministries"),
    (3, "Medium and small offices"),
]
SCRIPTS = {
    "planning": (
        "Planning: from strategic plan to work plan",
        [
            ("Open Planning and create a strategic plan for 2026–2028.", "The plan appears in the list as a draft."),
            ("Add a goal with a target and a unit.", "The goal shows on the plan with 0 % progress."),
            ("Create an annual work plan and an objective under the goal.", "The objective is listed under its goal."),
            ("Record progress on the objective.", "The goal's progress rolls up from the objective."),
            ("Submit the plan and approve it as an approver.", "The plan shows as approved; the audit log lists both steps."),
        ],
    ),
    "budgeting": (
        "Budgets: proposal, allotment and disbursement",
        [
            ("Create a budget proposal with one program.", "The proposal is listed as a draft."),
            ("Add PS, MOOE and CO line items.", "The totals per class and overall are correct."),
            ("Submit and approve the proposal.", "The proposal is approved and can no longer be edited."),
            ("Record an allotment, an obligation and a disbursement.", "The execution dashboard shows them; none exceeds its ceiling."),
            ("Try to obligate more than the allotment.", "The portal refuses with a clear message; nothing is saved."),
        ],
    ),
    "coordination": (
        "Partnerships: invite, accept, follow milestones",
        [
            ("Create a partnership and invite another organization.", "The partner sees the invitation in their inbox."),
            ("As the partner, accept the invitation.", "Both organizations see the partnership as active."),
            ("Add a milestone with a due date.", "The milestone is listed; both sides are notified."),
            ("Comment on the partnership.", "The comment is visible to both organizations."),
        ],
    ),
    "bcp": (
        "Continuity plans: draft, review, export",
        [
            ("Create a BC plan from a template for a department.", "A draft version opens with the template's sections."),
            ("Add a critical process with RTO and MTPD, a risk and a contact.", "They are listed on the plan."),
            ("Submit the version for review and approve it.", "The version becomes active."),
            ("Export the active version as PDF.", "The PDF downloads and its hash verifies on the verify page."),
        ],
    ),
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Wave = apps.get_model("rollout", "Wave")
    UATScript = apps.get_model("rollout", "UATScript")
    Group.objects.get_or_create(name="Rollout team")
    for number, name in WAVES:
        Wave.objects.get_or_create(number=number, defaults={"name": name, "modules": MODULES})
    for module, (title, steps) in SCRIPTS.items():
        UATScript.objects.get_or_create(
            module=module,
            defaults={
                "title": title,
                "steps": [{"step": s, "expected": e} for s, e in steps],
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rollout", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
