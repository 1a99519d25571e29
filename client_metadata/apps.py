from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientMetadataConfig(AppConfig):
    name = "client_metadata"
    verbose_name = _("Client ID metadata documents")
