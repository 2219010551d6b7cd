"""Loading the organizations from the shipped data file."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from organizations.loader import DATA_FILE, load_organizations
from organizations.models import AuditLog, Organization

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("load_organizations", *args, stdout=out)
    return out.getvalue()


def test_the_migration_loaded_44_organizations_with_the_three_pilots():
    assert Organization.objects.count() == 44
    pilots = set(Organization.objects.filter(is_pilot=True).values_list("code", flat=True))
    assert pilots == {"MOH", "MOLE", "MAFAR"}
    assert Organization.objects.get(code="OOBC").attached_to.code == "OCM"
    assert Organization.objects.get(code="MOH").rollout_wave == 1


def test_loading_twice_changes_nothing():
    before = list(Organization.objects.order_by("code").values())
    assert "0 created, 0 updated, 44 unchanged (44 in total)" in run()
    assert "0 created, 0 updated, 44 unchanged (44 in total)" in run()
    assert list(Organization.objects.order_by("code").values()) == before
    assert not AuditLog.objects.filter(action__startswith="organization.").exists()


def test_loading_into_an_empty_table_creates_all_and_links_attachments():
    Organization.objects.all().delete()
    result = load_organizations(Organization)
    assert len(result.created) == 44 and not result.updated
    assert Organization.objects.get(code="BWC").attached_to.code == "OCM"


def test_a_changed_row_is_updated_and_audited(tmp_path):
    text = DATA_FILE.read_text(encoding="utf-8").replace(
        "MOH,Ministry of Health,", "MOH,Ministry of Health (renamed),"
    )
    changed = tmp_path / "orgs.csv"
    changed.write_text(text, encoding="utf-8")
    assert "0 created, 1 updated, 43 unchanged" in run("--file", str(changed))
    assert Organization.objects.get(code="MOH").name == "Ministry of Health (renamed)"
    entry = AuditLog.objects.get(action="organization.reloaded")
    assert entry.before == {"name": "Ministry of Health"}
    assert entry.after == {"name": "Ministry of Health (renamed)"}


def test_a_bad_file_is_refused_with_its_line_number_and_nothing_changes(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,acronym,category,attached_to,is_pilot,rollout_wave\n"
        "NEW,New Office,NEW,office,,false,\n"
        "XYZ,Broken,XYZ,department,,false,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="line 3: unknown category 'department'"):
        run("--file", str(bad))
    assert not Organization.objects.filter(code="NEW").exists()
