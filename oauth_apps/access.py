"""Who may see which application, and ids from forms that never reach the database malformed.

Shared by every app's views: authserver's pages import these from here, not from oauth_apps.views.
"""

from django.contrib.auth.mixins import LoginRequiredMixin

from .models import OAuthApplication

MAX_PK = 2**63 - 1  # the largest id the database can hold


def parse_pk(value) -> int | None:
    """An application id from a form field, or None; never a value the database would choke on."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    pk = int(value)
    return pk if 0 < pk <= MAX_PK else None


def visible_applications(user):
    """The applications `user` may see and manage: staff see all, others their own.

    The pages and the management API both ask this; nothing else decides it.
    """
    queryset = OAuthApplication.objects.all()
    if not user.is_staff:
        queryset = queryset.filter(user=user)
    return queryset


class OwnedApplicationMixin(LoginRequiredMixin):
    """Scope every lookup to what the user may see (visible_applications)."""

    def get_queryset(self):
        return visible_applications(self.request.user)
