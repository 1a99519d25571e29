"""Staff pages for metadata-document clients: the fetched documents and the failed fetches
(both read-only), and the blocks.

A block is made and lifted through client_metadata.services, so the apps it
covers are disabled (their tokens revoked) and the audit trail records it in
the same step. Who may block or lift a block is oauth_apps/access.py's decision.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.readonly_admin import ReadOnlyModelAdmin
from oauth_apps.access import Action, may_act_on_others

from . import services
from .documents import DocumentRefused
from .models import BlockedClient, FetchFailure, MetadataDocument


@admin.register(MetadataDocument)
class MetadataDocumentAdmin(ReadOnlyModelAdmin):
    """Read-only: a document goes with its app (deleted or disabled on the app's own page)."""

    list_display = ["url", "application", "token_endpoint_auth_method", "fetched", "fresh_until"]
    list_filter = ["token_endpoint_auth_method"]
    search_fields = ["url"]
    fields = [
        "url",
        "application",
        "fetched",
        "fresh_until",
        "document_text",
        "token_endpoint_auth_method",
        "jwks_uri",
        "keys_text",
        "keys_fetched",
        "keys_fresh_until",
    ]

    @admin.display(description=_("document"))
    def document_text(self, obj):
        return format_html('<pre dir="ltr">{}</pre>', json.dumps(obj.document, indent=2, ensure_ascii=False))

    @admin.display(description=_("public keys"))
    def keys_text(self, obj):
        return format_html('<pre dir="ltr">{}</pre>', json.dumps(obj.jwks, indent=2, ensure_ascii=False))


@admin.register(FetchFailure)
class FetchFailureAdmin(ReadOnlyModelAdmin):
    """Read-only: written by client_metadata.services.record_failure, pruned there too."""

    list_display = ["url", "last_code", "attempts", "last_failed", "first_failed"]
    list_filter = ["last_code"]
    search_fields = ["url"]
    fields = ["url", "attempts", "first_failed", "last_failed", "last_code", "last_message"]


class BlockForm(forms.ModelForm):
    class Meta:
        model = BlockedClient
        fields = ["kind", "value", "reason"]
        help_texts = {
            "value": _(
                "A client_id URL exactly (https://tools.example.com/oauth/client.json), "
                "or a host name (tools.example.com, with :port if not 443)."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned.get("value"):
            try:
                cleaned["value"] = services.normalise_block_value(cleaned["kind"], cleaned["value"])
            except DocumentRefused as refused:
                self.add_error("value", forms.ValidationError(refused.message, code=refused.code))
        return cleaned


@admin.register(BlockedClient)
class BlockedClientAdmin(admin.ModelAdmin):
    form = BlockForm
    list_display = ["value", "kind", "reason", "created", "created_by"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    readonly_fields = ["created", "created_by"]

    def has_add_permission(self, request):
        return may_act_on_others(request.user, Action.BLOCK_CLIENT)

    def has_change_permission(self, request, obj=None):
        return False  # a block is made or lifted, never edited

    def has_delete_permission(self, request, obj=None):
        return may_act_on_others(request.user, Action.UNBLOCK_CLIENT)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.has_add_permission(request)

    def save_model(self, request, obj, form, change):
        blocked, disabled = services.block(
            obj.kind, obj.value, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
        obj.pk = blocked.pk
        obj.created = blocked.created
        if disabled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d application was disabled and its tokens revoked.",
                    "%(count)d applications were disabled and their tokens revoked.",
                    disabled,
                )
                % {"count": disabled},
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        services.unblock(obj)

    def delete_queryset(self, request, queryset):
        for blocked in queryset:
            services.unblock(blocked)
