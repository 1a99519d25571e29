"""Personal access tokens: what a script presents to the management API."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 100
# The scopes a personal access token may carry (bits from the scope catalog).
TOKEN_SCOPES = ("clients:read", "clients:write")


class PersonalAccessToken(models.Model):
    """A token a person made for their scripts; it acts as that person, within its scopes.

    Only the public `key` (the lookup half) and a salted hash of the secret half
    are stored: the token itself is shown once, when it is made.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_access_tokens"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    key = models.CharField(_("key"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=128)
    scopes = models.CharField(_("scopes"), max_length=100)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    # Written at most once a minute (see tokens.touch), so it costs no write per request.
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(scopes=""), name="%(app_label)s_pat_has_scopes"),
        ]

    def __str__(self):
        return f"{self.name} ({self.key})"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked is None and not self.is_expired

    @property
    def prefix(self) -> str:
        """What the list shows of the token, so a person can tell which one a script holds."""
        return f"dsp_{self.key}"
