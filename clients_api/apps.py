from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsApiConfig(AppConfig):
    name = "clients_api"
    verbose_name = _("Management API")
