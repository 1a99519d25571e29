"""The ID-token signing keys in the Django admin: read-only, and never the private key.

Keys are added, retired and deleted by `manage.py rotate_signing_key` only
(authserver/signing_keys.py); here staff see which key signs and until when the
others are published.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy

from common.readonly_admin import ReadOnlyModelAdmin

from . import signing_keys
from .models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyModelAdmin):
    list_display = ["kid", "state", "origin", "created", "activates_at", "retired_at", "published_until"]
    # Every field is a column: the list is the whole view, no row opens a page of its own.
    list_display_links = None
    # No private_key: its sealed text is not shown either.
    fields = ["kid", "state", "origin", "created", "activates_at", "retired_at", "published_until"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        now = timezone.now()
        return signing_keys.STATE_LABELS[
            signing_keys.state_of(obj.activates_at, obj.retired_at, obj.published_until, now)
        ]
