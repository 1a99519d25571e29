from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamicRegistrationConfig(AppConfig):
    name = "dynamic_registration"
    verbose_name = _("Dynamic client registration")

    def ready(self):
        from oauth2_provider.signals import app_authorized

        from . import services

        # The toolkit's documented signal, sent by the token endpoint for every access
        # token it issues: a registered client that obtained one is kept (see pruning).
        app_authorized.connect(services.note_token_issued, dispatch_uid="dynamic_registration.token_issued")
