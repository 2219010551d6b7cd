# The API token model moved to organizations (organizations/0008): bcp forgets it, state only;
# the table `bcp_apitoken` and its rows now belong to organizations.ApiToken.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bcp", "0005_export_source_fingerprint"),
        ("organizations", "0008_api_token_from_bcp"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
