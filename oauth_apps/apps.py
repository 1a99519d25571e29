from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = _("OAuth 2.0 applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from common.datadir import check_keys

        checks.register(check_keys)
