"""Bulk user import from CSV: preview, all-or-nothing commit, re-import, invitations."""

from __future__ import annotations

import csv
import io
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.tenancy import Role
from organizations import importing
from organizations.models import AuditLog, Department, ImportJob, Membership, User

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,organization,role,department,position,phone"


def rows(n: int, org: str = "MOH", start: int = 0) -> list[str]:
    departments = ["Finance", "Human Resources", "Field Health Services", "Planning"]
    return [
        f"staff{i:04d}@moh.gov.ph,Amina,Usman {i},{org},{['viewer', 'editor'][i % 2]},"
        f"{departments[i % 4]},Nurse {i % 3 + 1},0917-555-{i:04d}"
        for i in range(start, start + n)
    ]


def csv_text(lines: list[str]) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def upload(client, text: str, name: str = "staff.csv"):
    return client.post(
        reverse("organizations:user-import"),
        {"file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def test_a_thousand_rows_with_three_bad_ones_import_nothing_then_the_fix_imports_all(
    client, alice, org_a, django_capture_on_commit_callbacks
):
    """The issue's acceptance test, through the portal as MOH's admin."""
    client.force_login(alice)
    users_before = User.objects.count()
    good = rows(1000)
    bad = [
        *good[:500],
        "staff0001@moh.gov.ph,Dup,Licate,MOH,viewer,Finance,,",  # duplicate of row 3
        *good[500:999],
        "someone@mole.gov.ph,Not,Mine,MOLE,viewer,,,",  # an organization alice may not use
        "not-an-email,Bad,Mail,MOH,viewer,,,",  # bad e-mail on the last row
    ]
    response = upload(client, csv_text(bad))
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 problems found. Nothing was imported." in page
    job = ImportJob.objects.get()
    assert [number for number, _ in job.errors] == [502, 1002, 1003]
    assert "already appears on row 3" in job.errors[0][1]
    assert "you may not add users to MOLE" in job.errors[1][1]
    assert "not a valid e-mail address" in job.errors[2][1]
    # The commit button is not offered, and forcing it changes nothing.
    assert "user-import-commit" not in page and "/commit/" not in page
    client.post(reverse("organizations:user-import-commit", args=[job.public_id]))
    assert User.objects.count() == users_before

    response = upload(client, csv_text(good))
    assert "1000 people not yet members: an invitation will be sent" in re.sub(
        r"\s+",
        " ",
        response.content.decode().replace(
            '<span class="tile-value">1000</span><span class="tile-label">', "1000 "
        ),
    )
    job = ImportJob.objects.latest("created_at")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organizations:user-import-commit", args=[job.public_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.processed_rows == 1000
    assert job.result["invited"] == 1000
    assert User.objects.count() == users_before + 1000
    assert (
        Membership.objects.filter(organization=org_a, user__email__startswith="staff").count()
        == 1000
    )
    assert Department.objects.filter(organization=org_a, name="Field Health Services").exists()
    # One invitation each, and the importer's "import finished" notification (issue 17).
    invitations = [m for m in mail.outbox if "import finished" not in m.subject.lower()]
    assert len(invitations) == 1000 and len(mail.outbox) == 1001
    assert not User.objects.get(email="staff0007@moh.gov.ph").has_usable_password()
    assert AuditLog.objects.filter(action="users.imported", organization=org_a).count() == 1

    # The same file again: nobody new, reported as unchanged.
    upload(client, csv_text(good))
    job = ImportJob.objects.latest("created_at")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:user-import-commit", args=[job.public_id]))
    job.refresh_from_db()
    assert job.result == {
        "invited": 0,
        "memberships_updated": 0,
        "unchanged": 1000,
        "departments_created": 0,
    }
    assert User.objects.count() == users_before + 1000
    page = client.get(reverse("organizations:user-import-job", args=[job.public_id]))
    assert "Imported: 0 invitations" in page.content.decode()


def test_reimport_with_changed_roles_updates_memberships(org_a, alice):
    importing.commit(csv_text(rows(4)), alice)
    changed = csv_text([r.replace(",viewer,", ",approver,") for r in rows(4)])
    checked, result = importing.commit(changed, alice)
    assert result.as_dict()["memberships_updated"] == 2 and result.unchanged == 2
    assert Membership.objects.get(user__email="staff0000@moh.gov.ph").role == Role.APPROVER


def test_missing_columns_and_bad_values_are_explained(alice):
    checked = importing.preview("email,name\nx@y.ph,X\n", alice)
    assert checked.errors == [
        (
            1,
            "Missing column(s): first_name, last_name, organization, "
            "role, department, position, phone. Expected: " + ", ".join(importing.COLUMNS) + ".",
        )
    ]
    checked = importing.preview(csv_text([",A,B,NOPE,boss,,,"]), alice)
    messages = [m for _, m in checked.errors]
    assert "email is empty" in messages
    assert "organization NOPE does not exist" in messages
    assert any(m.startswith("role “boss” is not one of") for m in messages)


def test_a_viewer_cannot_import_and_a_non_csv_is_refused(client, bob, alice):
    client.force_login(bob)
    assert upload(client, csv_text(rows(1))).status_code == 403
    client.force_login(alice)
    response = client.post(
        reverse("organizations:user-import"),
        {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x01binary", "text/csv")},
    )
    assert "not UTF-8 text" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_formula_cells_are_stored_as_text_and_neutralised_on_export(client, alice, org_a):
    text = csv_text(['evil@moh.gov.ph,=HYPERLINK("http://x"),+cmd,MOH,viewer,@Finance,-1,=1+1'])
    importing.commit(text, alice)
    user = User.objects.get(email="evil@moh.gov.ph")
    assert user.first_name == '=HYPERLINK("http://x")' and user.phone == "=1+1"
    client.force_login(alice)
    response = client.get(reverse("organizations:member-export"))
    raw = response.content.decode()
    assert raw.startswith("\ufeff" + ",".join(importing.COLUMNS))  # BOM, header first
    # The export reads back through the import (which skips the BOM).
    assert importing.preview(raw, alice) is not None
    exported = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    row = next(r for r in exported if r[0] == "evil@moh.gov.ph")
    assert row == [
        "evil@moh.gov.ph",
        '\'=HYPERLINK("http://x")',
        "'+cmd",
        "MOH",
        "viewer",
        "'@Finance",
        "'-1",
        "'=1+1",
    ]


def test_invitation_link_sets_the_password_once(client, alice):
    _checked, result = importing.commit(csv_text(rows(1)), alice)
    from organizations.invitations import send_invitations

    assert send_invitations(result.new_user_ids) == 1
    link = re.search(r"http://\S+/accounts/invite/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    response = client.get(path, follow=True)
    assert "Choose the password" in response.content.decode()
    set_url = response.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Sulu-Sea-2026!", "new_password2": "Sulu-Sea-2026!"}, follow=True
    )
    assert "Your password is set" in response.content.decode()
    assert User.objects.get(email="staff0000@moh.gov.ph").check_password("Sulu-Sea-2026!")
    # One-time: the same link no longer works.
    client.get("/accounts/logout/")
    again = client.get(path, follow=True)
    assert "no longer works" in again.content.decode()
    # No password or token travelled anywhere but the e-mail to the user.
    assert "Sulu-Sea-2026!" not in mail.outbox[0].body


def test_resend_invitation_from_the_member_list(
    client, alice, org_a, django_capture_on_commit_callbacks
):
    importing.commit(csv_text(rows(1)), alice)
    membership = Membership.objects.get(user__email="staff0000@moh.gov.ph")
    client.force_login(alice)
    page = client.get(reverse("organizations:member-list")).content.decode()
    assert "Send invitation" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:member-invite", args=[membership.public_id]))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["staff0000@moh.gov.ph"]
    membership.user.refresh_from_db()
    assert membership.user.invited_at is not None
    # Someone with a password gets nothing.
    alice_membership = Membership.objects.get(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:member-invite", args=[alice_membership.public_id]))
    assert len(mail.outbox) == 1


def test_import_users_command_dry_run_then_real(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(csv_text(rows(5, org="MAFAR")), encoding="utf-8")
    out = StringIO()
    call_command("import_users", str(path), "--dry-run", stdout=out)
    assert "5 rows OK: 5 invitations to send" in out.getvalue() and "Dry run" in out.getvalue()
    assert not User.objects.filter(email__startswith="staff").exists()
    out = StringIO()
    call_command("import_users", str(path), stdout=out)
    assert "invited: 5" in out.getvalue() and "Invitations sent: 5" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(["x@y,A,B,MAFAR,viewer,,,"]), encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_users", str(bad), stdout=StringIO(), stderr=StringIO())
