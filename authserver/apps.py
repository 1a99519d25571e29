from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthServerConfig(AppConfig):
    name = "authserver"
    verbose_name = _("Authorization server")

    def ready(self):
        from corsheaders.signals import check_request_enabled

        from . import cors

        # django-cors-headers' documented extension point for per-request origin
        # decisions. This is a read-only question asked by a library, not a reaction
        # to one of our own writes, so STYLE.md's "no signals" rule does not apply.
        check_request_enabled.connect(cors.check_request_enabled, dispatch_uid="authserver.cors")
