"""pg_trgm, for the portal search's name matching (organizations/fulltext.py)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organizations", "0009_merge_api_token_former_membership")]

    operations = [TrigramExtension()]
