from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = _("OAuth 2.0 applications")

    def ready(self):
        from django.core import checks as django_checks
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        # The portal's own system checks (rate limits, shared cache) and its start-up line.
        from common import checks
        from common.datadir import check_keys
        from common.sqlite import use_real_parameter_limit

        django_checks.register(check_keys)
        checks.describe_start_up()
        # Django's documented hook for per-connection setup (not a reaction to our own writes).
        connection_created.connect(use_real_parameter_limit, dispatch_uid="common.sqlite.parameter_limit")
        # After every migrate: put back the SQLite name-search triggers if a table
        # rebuild dropped them (oauth_apps/search_index.py).
        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="oauth_apps.search_index")


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from . import search_index

    search_index.ensure(connections[using])
