"""SQLite: a trigram (FTS5) index for name search, kept in step by triggers (see oauth_apps/search_index.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from oauth_apps import search_index

    search_index.ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from oauth_apps import search_index

    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("oauth_apps", "0008_allowed_origin_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
