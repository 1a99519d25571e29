"""Django admin for support staff: find, inspect, enable, disable or delete apps.

The client secret is never shown or editable here. Every change goes through
the service functions, so it is recorded in the audit trail like a change made
in the portal; fields are edited in the portal's form, which runs every check.
"""

from django.contrib import admin, messages
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oauth2_provider.models import get_application_model

from . import scopes as scope_catalog
from .forms import ApplicationForm
from .models import AuditEvent, Icon, OAuthApplication
from .services import bulk_set_enabled, delete_application


class ScopeFilter(admin.SimpleListFilter):
    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [(scope.name, scope.name) for scope in scope_catalog.SCOPES]

    def queryset(self, request, queryset):
        scope = scope_catalog.SCOPES_BY_NAME.get(self.value() or "")
        if scope is None:
            return queryset
        return queryset.alias(has_scope=F("scope_bits").bitand(scope.bit)).filter(has_scope=scope.bit)


# The toolkit registers its own admin for the application model; ours replaces it.
if admin.site.is_registered(get_application_model()):
    admin.site.unregister(get_application_model())


# Stored encodings the admin shows readably.
SHOWN_AS = {"scope_bits": "scopes_display"}


@admin.register(OAuthApplication)
class OAuthApplicationAdmin(admin.ModelAdmin):
    list_display = ["icon_tag", "name", "user", "enabled", "client_type", "updated"]
    list_display_links = ["name"]
    list_filter = ["enabled", ScopeFilter, "client_type"]
    search_fields = ["name", "client_id"]
    list_select_related = ["user"]
    ordering = ["-created", "-id"]
    actions = ["enable_apps", "disable_apps"]
    exclude = ["client_secret", "hash_client_secret"]
    readonly_fields = [
        "client_id",
        "icon_tag",
        "scopes_display",
        "user",
        "modified_by",
        "created",
        "updated",
        "version",
    ]
    # What a person edits is the registration form's list; the admin shows it with
    # the facts the server keeps, so a new form field appears here by itself.
    fields = [
        "icon_tag",
        "client_id",
        "user",
        "enabled",
        *(SHOWN_AS.get(name, name) for name in ApplicationForm.Meta.fields),
        "modified_by",
        "created",
        "updated",
        "version",
    ]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("client_secret")

    def has_add_permission(self, request):
        # Registration goes through the portal's form, which runs every check.
        return False

    @admin.display(description=_("icon"))
    def icon_tag(self, obj):
        return format_html('<img src="{}" width="32" height="32" alt="">', obj.icon_url)

    @admin.display(description=_("scopes"))
    def scopes_display(self, obj):
        return ", ".join(obj.scope_names)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_change_permission(self, request, obj=None):
        # The change page only shows an app; the list's actions still work.
        return obj is None and super().has_change_permission(request)

    def delete_model(self, request, obj):
        delete_application(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for app in queryset:
            delete_application(app, actor=request.user)

    @admin.action(description=_("Enable selected applications"))
    def enable_apps(self, request, queryset):
        count = bulk_set_enabled(queryset, actor=request.user, enabled=True)
        self.message_user(request, ngettext("%d app enabled.", "%d apps enabled.", count) % count)

    @admin.action(description=_("Disable selected applications (revokes their authorizations)"))
    def disable_apps(self, request, queryset):
        count = bulk_set_enabled(queryset, actor=request.user, enabled=False)
        self.message_user(
            request, ngettext("%d app disabled.", "%d apps disabled.", count) % count, messages.WARNING
        )


@admin.register(Icon)
class IconAdmin(admin.ModelAdmin):
    list_display = ["sha256", "content_type", "created"]
    exclude = ["data"]
    readonly_fields = ["sha256", "content_type", "created", "preview"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return format_html('<img src="{}" width="32" height="32" alt="">', obj.get_absolute_url())

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody adds, changes or deletes a record here."""

    list_display = ["created", "action", "application_name", "client_id", "actor_name"]
    list_filter = ["action"]
    search_fields = ["application_name", "client_id", "actor_name"]
    date_hierarchy = "created"
    show_full_result_count = False
    fields = [
        "created",
        "action",
        "application",
        "application_pk",
        "application_name",
        "client_id",
        "app_version",
        "actor",
        "actor_name",
        "changes",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
