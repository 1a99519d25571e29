from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = _("OAuth 2.0 applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks as django_checks

        # The portal's own system checks (rate limits, shared cache) and its start-up line.
        from common import checks
        from common.datadir import check_keys

        django_checks.register(check_keys)
        checks.describe_start_up()
