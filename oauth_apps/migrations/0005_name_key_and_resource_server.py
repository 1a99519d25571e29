"""Names: a uniqueness key computed in Python (oauth_apps/names.py), filled in for existing apps.

Existing apps whose names already read the same (école / ÉCOLE, Cyrillic
Аpple / Apple …) all stay: the oldest keeps the real key, each later one gets a
placeholder key, so its next save must choose a name nobody else reads the same.
Also: the resource-server flag, the staff permissions, and the database cache
table when the database cache counts the rate limits (production's default).
"""

import django.core.validators
from django.core.management import call_command
from django.db import migrations, models

import oauth_apps.models
import oauth_apps.names


def fill_name_keys(apps, schema_editor):
    application_model = apps.get_model("oauth_apps", "OAuthApplication")
    seen = set()
    rows = application_model.objects.using(schema_editor.connection.alias).order_by("created", "id")
    for app in rows.only("id", "name").iterator():
        key = oauth_apps.names.name_key(app.name)
        if key in seen:
            key = f"duplicate-{app.pk}"
        seen.add(key)
        application_model.objects.using(schema_editor.connection.alias).filter(pk=app.pk).update(name_key=key)


def create_cache_table(apps, schema_editor):
    # Creates the table only for caches configured with the database backend; a no-op otherwise.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("oauth_apps", "0004_name_at_least_3_characters"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="oauthapplication",
            options={
                "permissions": [
                    ("view_all_applications", "Can see other users' applications in the portal's list"),
                    ("reset_secret_oauthapplication", "Can reset another user's client secret"),
                    ("mark_resource_server", "Can mark an application as a resource server"),
                ],
                "verbose_name": "OAuth application",
                "verbose_name_plural": "OAuth applications",
            },
        ),
        migrations.AddField(
            model_name="oauthapplication",
            name="is_resource_server",
            field=models.BooleanField(
                default=False,
                help_text="May introspect tokens issued to other applications.",
                verbose_name="resource server",
            ),
        ),
        migrations.AddField(
            model_name="oauthapplication",
            name="name_key",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="name key"),
        ),
        migrations.AlterField(
            model_name="oauthapplication",
            name="description",
            field=oauth_apps.models.ReadableTextField(
                blank=True,
                max_length=255,
                validators=[oauth_apps.names.validate_description],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="oauthapplication",
            name="name",
            field=oauth_apps.models.ReadableTextField(
                max_length=255,
                validators=[django.core.validators.MinLengthValidator(3), oauth_apps.names.validate_name],
                verbose_name="name",
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
