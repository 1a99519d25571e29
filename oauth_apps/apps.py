from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = _("OAuth 2.0 applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The portal's own system checks (rate limits, shared cache) and its start-up line.
        from common import checks

        checks.describe_start_up()
