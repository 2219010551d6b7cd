# Joins the two organizations migrations that were written side by side: contributions
# (segregation of duties) and join invitations with OCMAccess.also_member. They touch
# different tables, so applying them in either order gives the same schema.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0006_contribution"),
        ("organizations", "0006_join_invitations_ocm_also_member"),
    ]

    operations = []
