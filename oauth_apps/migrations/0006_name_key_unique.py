"""The name key becomes required and unique; it replaces the case-insensitive name constraint.

A migration of its own: PostgreSQL refuses to alter a table in the transaction
that updated its rows (0005 filled the keys).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oauth_apps", "0005_name_key_and_resource_server"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="oauthapplication",
            name="oauth_apps_app_name_unique_ci",
        ),
        migrations.AlterField(
            model_name="oauthapplication",
            name="name_key",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="name key"),
        ),
    ]
