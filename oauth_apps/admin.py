"""Django admin for support staff: find, inspect, enable, disable, reset or delete apps.

The client secret is never shown here, not even after a reset (the owner gets a
usable one by resetting it on the app's page). Every change goes through the
service functions, so it is recorded in the audit trail like a change made in the
portal, and every change that revokes something asks first and says what it
revokes. Fields are edited in the portal's form, which runs every check; here the
application's page is read-only.
"""

import csv
import json
from datetime import UTC
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from oauth2_provider.models import get_application_model

from common.readonly_admin import ReadOnlyModelAdmin

from . import history
from . import scopes as scope_catalog
from .access import Action, may_act_on_others
from .forms import ApplicationForm
from .models import AuditEvent, Icon, OAuthApplication, PortalPolicy
from .services import (
    NotConfidential,
    bulk_set_enabled,
    count_authorizations,
    delete_application,
    reset_secret,
    review_application,
    set_enabled,
    set_resource_server,
)


class ScopeFilter(admin.SimpleListFilter):
    title = gettext_lazy("scope")
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


class ApplicationAdminForm(forms.ModelForm):
    """Labels and help texts in the portal's words (the page is read-only; see the module docstring)."""

    class Meta:
        model = OAuthApplication
        fields = []
        labels = {
            "user": gettext_lazy("Owner"),
            "client_type": gettext_lazy("Authentication method"),
            "redirect_uri_lines": gettext_lazy("Redirect URLs"),
            "allowed_origin_lines": gettext_lazy("Allowed origins"),
        }
        help_texts = {
            "name": gettext_lazy("Shown to people on the consent screen and in the list."),
            "client_id": gettext_lazy(
                "Made by the server; the app sends it with every request. The secret is never shown here."
            ),
            "user": gettext_lazy("The person who registered the app and manages it in the portal."),
            "enabled": gettext_lazy(
                "A disabled app cannot sign anyone in or obtain tokens. Use Disable or Enable above."
            ),
            "client_type": gettext_lazy(
                "Confidential apps prove themselves with a secret and PKCE; public apps (PKCE only) have no "
                "secret."
            ),
            "website_url": gettext_lazy("The app's home page; its name links there on the consent screen."),
            "description": gettext_lazy("What the app does, in its owner's words."),
            "redirect_uri_lines": gettext_lazy(
                "Where people are sent back after the consent screen. A request must name one of these "
                "exactly."
            ),
            "allowed_origin_lines": gettext_lazy(
                "Web pages on these origins may call the token endpoint and the API from a browser (CORS)."
            ),
            "scopes_display": gettext_lazy(
                "What the app may ask people for. A Write scope includes its Read scope."
            ),
            "privacy_policy_url": gettext_lazy("Linked from the consent screen."),
            "terms_of_service_url": gettext_lazy("Linked from the consent screen."),
            "modified_by": gettext_lazy("Who made the latest change, in the portal or here."),
        }


def _lines(values) -> str:
    return format_html_join("", "<code>{}</code><br>", ((value,) for value in values)) or "—"


def revocation_text(apps) -> str:
    """What revoking the apps' authorizations takes away, in one sentence."""
    counts = count_authorizations(apps)
    if not (counts.tokens or counts.codes):
        return _("No one has authorized it yet: nothing is revoked.")
    people = ngettext("%(count)d person", "%(count)d people", counts.users) % {"count": counts.users}
    tokens = ngettext("%(count)d token", "%(count)d tokens", counts.tokens) % {"count": counts.tokens}
    codes = ngettext("%(count)d pending code", "%(count)d pending codes", counts.codes) % {
        "count": counts.codes
    }
    return _(
        "The authorizations of %(people)s are revoked: %(tokens)s and %(codes)s stop working at once. "
        "They must consent again."
    ) % {"people": people, "tokens": tokens, "codes": codes}


def on_and_off_actions(method, *, on, off, permission):
    """A list action that switches something on and its opposite: `method(admin, request, queryset, value)`
    with value True, then False; `on` and `off` describe them, both need `permission`."""

    def action(value, description):
        @admin.action(description=description, permissions=[permission])
        def switch(modeladmin, request, queryset):
            return method(modeladmin, request, queryset, value)

        return switch

    return action(True, on), action(False, off)


# Stored encodings the admin shows readably (URL lists one per line).
SHOWN_AS = {
    "scope_bits": "scopes_display",
    "redirect_uris": "redirect_uri_lines",
    "allowed_origins": "allowed_origin_lines",
}


@admin.register(OAuthApplication)
class OAuthApplicationAdmin(admin.ModelAdmin):
    form = ApplicationAdminForm
    list_display = [
        "icon_tag",
        "name",
        "user",
        "enabled",
        "review_state",
        "client_type",
        "is_resource_server",
        "updated",
    ]
    list_display_links = ["name"]
    list_filter = ["enabled", "review_state", ScopeFilter, "client_type", "is_resource_server"]
    search_fields = ["name", "client_id"]
    list_select_related = ["user"]
    ordering = ["-created", "-id"]
    actions = [
        "enable_apps",
        "disable_apps",
        "approve_apps",
        "mark_resource_servers",
        "unmark_resource_servers",
    ]
    # What a person edits is the registration form's list; the admin shows it with
    # the facts the server keeps, so a new form field appears here by itself.
    fields = [
        "icon_tag",
        "client_id",
        "user",
        "enabled",
        *(SHOWN_AS.get(name, name) for name in ApplicationForm.Meta.fields),
        "is_resource_server",
        "review_state",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "modified_by",
        "created",
        "updated",
    ]
    readonly_fields = fields
    show_full_result_count = False
    change_form_template = "admin/oauth_apps/oauthapplication/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("client_secret")

    def has_add_permission(self, request):
        # Registration goes through the portal's form, which runs every check.
        return False

    # Who may do what is oauth_apps/access.py's rule, the same as on the portal's pages.
    def has_reset_secret_permission(self, request, obj=None):
        return may_act_on_others(request.user, Action.RESET_SECRET)

    def has_mark_resource_server_permission(self, request, obj=None):
        return may_act_on_others(request.user, Action.MARK_RESOURCE_SERVER)

    def has_review_permission(self, request, obj=None):
        return may_act_on_others(request.user, Action.REVIEW)

    @admin.display(description=gettext_lazy("icon"))
    def icon_tag(self, obj):
        return format_html('<img src="{}" width="32" height="32" alt="">', obj.icon_url)

    @admin.display(description=gettext_lazy("scopes"))
    def scopes_display(self, obj):
        return ", ".join(obj.scope_names)

    @admin.display(description=gettext_lazy("Redirect URLs"))
    def redirect_uri_lines(self, obj):
        return _lines(obj.redirect_uri_list)

    @admin.display(description=gettext_lazy("Allowed origins"))
    def allowed_origin_lines(self, obj):
        return _lines(obj.allowed_origin_list)

    # --- the application's page: read-only, with actions that ask first ---------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            # Nothing is saved from this page: fields change in the portal's form.
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            can_change_state=obj is not None and self.has_change_permission(request, obj),
            can_reset_secret=obj is not None
            and not obj.is_public
            and self.has_reset_secret_permission(request, obj),
            audit_url=reverse("admin:oauth_apps_auditevent_changelist")
            + "?"
            + urlencode({"app": obj.client_id})
            if obj is not None
            else "",
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/enable/", wrap(self.enable_view), name=f"{name}_enable"),
            path("<path:object_id>/disable/", wrap(self.disable_view), name=f"{name}_disable"),
            path("<path:object_id>/reset-secret/", wrap(self.reset_secret_view), name=f"{name}_reset_secret"),
            *super().get_urls(),
        ]

    def _app_or_denied(self, request, object_id, may):
        app = self.get_object(request, unquote(object_id))
        if app is None:
            return None
        if not may(request, app):
            raise PermissionDenied
        return app

    def _change_url(self, app):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[app.pk])

    def confirmation(self, request, apps, *, title, message, revokes, button, action="", select_across=False):
        """A confirmation page in the admin's look; POSTing its form does the action."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "message": message,
            "revokes": revokes,
            "button": button,
            "apps": [(app, self._change_url(app)) for app in apps],
            "action": action,
            "select_across": select_across,
            "cancel_url": self._change_url(apps[0])
            if not action
            else reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/oauth_apps/confirm_action.html", context)

    def _one_app_view(self, request, object_id, *, may, confirm, act):
        """Look the app up; GET asks `confirm(app)`'s question, POST runs `act(app)`; back to the app."""
        app = self._app_or_denied(request, object_id, may)
        if app is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "POST":
            return self.confirmation(request, [app], **confirm(app))
        act(app)
        return redirect(self._change_url(app))

    def _state_view(self, request, object_id, *, enabled: bool):
        def confirm(app):
            if enabled:
                return {
                    "title": _("Enable %(name)s?") % {"name": app.name},
                    "message": _("The app can sign people in and obtain tokens again."),
                    "revokes": _("Nothing is revoked."),
                    "button": _("Yes, enable it"),
                }
            return {
                "title": _("Disable %(name)s?") % {"name": app.name},
                "message": _("The app can no longer sign people in or obtain tokens."),
                "revokes": revocation_text([app]),
                "button": _("Yes, disable it"),
            }

        def act(app):
            if not set_enabled(app, actor=request.user, enabled=enabled):
                return
            if enabled:
                self.log_change(request, app, _("Enabled"))
                self.message_user(request, _("%(name)s is enabled.") % {"name": app.name}, messages.SUCCESS)
            else:
                self.log_change(request, app, _("Disabled"))
                self.message_user(
                    request,
                    _("%(name)s is disabled; its authorizations were revoked.") % {"name": app.name},
                    messages.WARNING,
                )

        return self._one_app_view(
            request, object_id, may=self.has_change_permission, confirm=confirm, act=act
        )

    def enable_view(self, request, object_id):
        return self._state_view(request, object_id, enabled=True)

    def disable_view(self, request, object_id):
        return self._state_view(request, object_id, enabled=False)

    def reset_secret_view(self, request, object_id):
        def confirm(app):
            return {
                "title": _("Reset the secret of %(name)s?") % {"name": app.name},
                "message": _(
                    "The current secret stops working at once. The new one is not shown to anyone: "
                    "the owner resets the secret again on the app's page to get one they can use."
                ),
                "revokes": revocation_text([app]),
                "button": _("Yes, reset the secret"),
            }

        def act(app):
            try:
                reset_secret(app, actor=request.user)  # the new secret is discarded, never shown
            except NotConfidential:
                self.message_user(request, _("A public app has no secret to reset."), messages.ERROR)
                return
            self.log_change(request, app, _("Secret reset"))
            self.message_user(
                request,
                _(
                    "The secret of %(name)s was reset and its authorizations revoked. Nobody was shown "
                    "the new secret; the owner gets a usable one by resetting it on the app's page."
                )
                % {"name": app.name},
                messages.WARNING,
            )

        return self._one_app_view(
            request, object_id, may=self.has_reset_secret_permission, confirm=confirm, act=act
        )

    # --- list actions: a confirmation first, as for delete ----------------------------

    def _confirmed(self, request, queryset, *, action, title, revokes, button, perform):
        """A list action behind a confirmation page naming the apps; "Yes" runs `perform(apps)`.

        `title` is a plural-aware text with %(count)d; `revokes(apps)` says what will be revoked.
        """
        apps = list(queryset)
        if request.POST.get("post") != "yes":
            return self.confirmation(
                request,
                apps,
                title=title(len(apps)) % {"count": len(apps)},
                message=_("These applications are affected:"),
                revokes=revokes(apps),
                button=button,
                action=action,
                select_across=request.POST.get("select_across") == "1",
            )
        perform(apps)
        return None

    def _state_action(self, request, queryset, enabled: bool):
        def perform(apps):
            count = bulk_set_enabled(apps, actor=request.user, enabled=enabled)
            if enabled:
                text = ngettext("%(count)d app enabled.", "%(count)d apps enabled.", count)
            else:
                text = ngettext("%(count)d app disabled.", "%(count)d apps disabled.", count)
            self.message_user(
                request, text % {"count": count}, messages.SUCCESS if enabled else messages.WARNING
            )

        if enabled:
            title = lambda n: ngettext("Enable %(count)d application?", "Enable %(count)d applications?", n)  # noqa: E731
        else:
            title = lambda n: ngettext("Disable %(count)d application?", "Disable %(count)d applications?", n)  # noqa: E731
        return self._confirmed(
            request,
            queryset,
            action="enable_apps" if enabled else "disable_apps",
            title=title,
            revokes=(lambda apps: _("Nothing is revoked.")) if enabled else revocation_text,
            button=_("Yes, enable them") if enabled else _("Yes, disable them"),
            perform=perform,
        )

    enable_apps, disable_apps = on_and_off_actions(
        _state_action,
        on=gettext_lazy("Enable selected applications"),
        off=gettext_lazy("Disable selected applications (revokes their authorizations)"),
        permission="change",
    )

    def _resource_server_action(self, request, queryset, value: bool):
        def perform(apps):
            count = sum(set_resource_server(app, actor=request.user, value=value) for app in apps)
            if value:
                text = ngettext(
                    "%(count)d app marked as a resource server.",
                    "%(count)d apps marked as resource servers.",
                    count,
                )
            else:
                text = ngettext(
                    "%(count)d app is no longer a resource server.",
                    "%(count)d apps are no longer resource servers.",
                    count,
                )
            self.message_user(request, text % {"count": count})

        if value:
            title = lambda n: ngettext(  # noqa: E731
                "Let %(count)d application introspect every token?",
                "Let %(count)d applications introspect every token?",
                n,
            )
        else:
            title = lambda n: ngettext(  # noqa: E731
                "Stop %(count)d application from introspecting other apps' tokens?",
                "Stop %(count)d applications from introspecting other apps' tokens?",
                n,
            )
        return self._confirmed(
            request,
            queryset,
            action="mark_resource_servers" if value else "unmark_resource_servers",
            title=title,
            revokes=lambda apps: _("Nothing is revoked."),
            button=_("Yes, mark them") if value else _("Yes, unmark them"),
            perform=perform,
        )

    @admin.action(
        description=gettext_lazy("Approve selected applications waiting for review"), permissions=["review"]
    )
    def approve_apps(self, request, queryset):
        # The queue's service; rejecting needs a reason for the owner, so it is done in the review queue.
        count = sum(review_application(app, actor=request.user, approve=True) for app in queryset)
        self.message_user(
            request,
            ngettext("%d app approved.", "%d apps approved.", count) % count
            + " "
            + _("Apps that were not waiting for review are unchanged. Reject apps in the review queue."),
        )

    mark_resource_servers, unmark_resource_servers = on_and_off_actions(
        _resource_server_action,
        on=gettext_lazy("Mark selected applications as resource servers (may introspect any token)"),
        off=gettext_lazy("Unmark selected applications as resource servers"),
        permission="mark_resource_server",
    )

    def delete_model(self, request, obj):
        delete_application(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for app in queryset:
            delete_application(app, actor=request.user)


@admin.register(PortalPolicy)
class PortalPolicyAdmin(admin.ModelAdmin):
    """The one policy row: its list opens the row itself; it is never added or deleted by hand."""

    fields = ["review_new_apps", "registration_policy", "updated", "updated_by"]
    readonly_fields = ["updated", "updated_by"]

    def changelist_view(self, request, extra_context=None):
        policy = PortalPolicy.load()
        return redirect(reverse("admin:oauth_apps_portalpolicy_change", args=[policy.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Icon)
class IconAdmin(admin.ModelAdmin):
    list_display = ["sha256", "content_type", "created"]
    exclude = ["data"]
    readonly_fields = ["sha256", "content_type", "created", "preview"]

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj):
        return format_html('<img src="{}" width="32" height="32" alt="">', obj.get_absolute_url())

    def has_add_permission(self, request):
        return False


# --- the audit trail ------------------------------------------------------------------


class TextFilter(admin.SimpleListFilter):
    """A filter typed into a box (apps and people are too many to list as links)."""

    template = "admin/oauth_apps/text_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        keep = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in (self.parameter_name, "p")
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {"value": self.value() or "", "keep": keep, "parameter_name": self.parameter_name}


class ApplicationFilter(TextFilter):
    title = gettext_lazy("application (name, client ID or id)")
    parameter_name = "app"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        match = Q(client_id=value) | Q(application_name__icontains=value)
        if value.isdigit():
            match |= Q(application_pk=int(value))
        return queryset.filter(match)


class ActorFilter(TextFilter):
    title = gettext_lazy("actor (username)")
    parameter_name = "actor"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(actor_name__iexact=value) if value else queryset


# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = (
    gettext_lazy("When (UTC)"),
    gettext_lazy("Action"),
    gettext_lazy("Application id"),
    gettext_lazy("Application"),
    gettext_lazy("Client ID"),
    gettext_lazy("Actor"),
    gettext_lazy("What happened"),
    gettext_lazy("Changes (JSON)"),
)


def csv_rows(events):
    yield [str(label) for label in CSV_HEADER]
    for event in events:
        yield [
            event.created.astimezone(UTC).isoformat(timespec="seconds"),
            event.get_action_display(),
            event.application_pk,
            event.application_name,
            event.client_id,
            event.actor_name,
            history.describe(event).text,
            json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
        ]


def csv_response(events) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = (writer.writerow([csv_cell(cell) for cell in row]) for row in csv_rows(events))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """The audit trail, read-only: nobody adds, changes or deletes a record here."""

    # The client ID is on each record's page and in the CSV; the list keeps to what fits a screen.
    list_display = ["created", "action", "application_name", "actor_name", "what_happened"]
    list_filter = ["action", ApplicationFilter, ActorFilter]
    search_fields = ["application_name", "client_id", "actor_name"]
    date_hierarchy = "created"
    show_full_result_count = False
    actions = ["export_csv"]
    change_list_template = "admin/oauth_apps/auditevent/change_list.html"
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
        "what_happened",
    ]

    @admin.display(description=gettext_lazy("what happened"))
    def what_happened(self, obj):
        entry = history.describe(obj)
        if not entry.details:
            return entry.summary
        return format_html(
            "{}<ul>{}</ul>", entry.summary, format_html_join("", "<li>{}</li>", ((d,) for d in entry.details))
        )

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("export.csv", self.admin_site.admin_view(self.export_view), name=f"{name}_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The whole trail as the list shows it now (filters, search and dates applied), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return csv_response(changelist.get_queryset(request).iterator(chunk_size=2000))

    @admin.action(description=gettext_lazy("Export selected records as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(queryset.iterator(chunk_size=2000))
