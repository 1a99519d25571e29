"""django-oauth-toolkit's view of the scope catalog: an app may ask for its own scopes only."""

from oauth2_provider.scopes import BaseScopes

from .scopes import SCOPES


class CatalogScopes(BaseScopes):
    def get_all_scopes(self):
        return {scope.name: str(scope.description) for scope in SCOPES}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return [scope.name for scope in SCOPES]
        return application.scope_names

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        """A request without `scope` gets the app's registered scopes."""
        return self.get_available_scopes(application, request)
