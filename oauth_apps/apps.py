from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = _("OAuth 2.0 applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from common.sqlite import use_real_parameter_limit

        # Django's documented hook for per-connection setup (not a reaction to our own writes).
        connection_created.connect(use_real_parameter_limit, dispatch_uid="common.sqlite.parameter_limit")
