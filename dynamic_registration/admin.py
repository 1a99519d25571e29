"""What support sees of dynamic registration in the admin: read-only (the portal's pages make and revoke)."""

from django.contrib import admin

from .models import ClientRegistration, InitialAccessToken


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InitialAccessToken)
class InitialAccessTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "uses", "max_uses", "created", "expires", "revoked")
    search_fields = ("name", "prefix")
    exclude = ("token_hash",)


@admin.register(ClientRegistration)
class ClientRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("application", "created", "first_token_at", "initial_token")
    list_select_related = ("application", "initial_token")
    exclude = ("token_hash",)
    search_fields = ("application__name", "application__client_id")
