"""What dynamic client registration (RFC 7591/7592) keeps beside the application it creates.

The application itself is an ordinary `OAuthApplication` (registration_source=DYNAMIC, no
owner); these tables hold only what the registration protocol adds: the
hashed registration access token of each registered client, and the initial
access tokens staff hand out when registration requires one. Neither kind of
token is a toolkit AccessToken, so no bearer-token endpoint can ever accept one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oauth_apps.models import NAME_MAX_LENGTH, user_reference

# What a stored token hash looks like: SHA-256, lower-case hex.
HEX_SHA256 = r"^[0-9a-f]{64}$"


class ClientRegistration(models.Model):
    """One dynamically registered client: its management token (hashed) and whether it ever got a token."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="dynamic_registration",
        verbose_name=_("application"),
    )
    # SHA-256 (hex) of the registration access token; the token itself is shown once.
    token_hash = models.CharField(max_length=64, unique=True)
    # What the client sent that the application has no column for (software_id, …),
    # and which of the optional URLs it really gave: read back by RFC 7592 GET.
    metadata = models.JSONField(default=dict, blank=True)
    initial_token = models.ForeignKey(
        "InitialAccessToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("initial access token"),
    )
    created = models.DateTimeField(_("registered"), default=timezone.now)
    # Set when the token endpoint first issues the client an access token; a client
    # that never gets one is removed after settings.DYNAMIC_REGISTRATION_UNUSED_TTL.
    first_token_at = models.DateTimeField(_("first token issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("dynamic registration")
        verbose_name_plural = _("dynamic registrations")
        indexes = [
            models.Index(fields=["created"], condition=Q(first_token_at=None), name="dcr_unused_created_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(token_hash__regex=HEX_SHA256), name="dcr_token_hash_hex")
        ]

    def __str__(self):
        return str(self.application_id)


class InitialAccessTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that may still register a client: not revoked, not expired, uses left."""
        now = now or timezone.now()
        return self.filter(revoked=None, expires__gt=now, uses__lt=models.F("max_uses"))


class InitialAccessToken(models.Model):
    """A token staff make so that one party may register clients while the policy requires one."""

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so staff can tell tokens apart; never enough to use one.
    prefix = models.CharField(_("starts with"), max_length=12)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = user_reference(_("created by"))
    expires = models.DateTimeField(_("expires"))
    max_uses = models.PositiveIntegerField(_("use limit"))
    uses = models.PositiveIntegerField(_("uses"), default=0)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = user_reference(_("revoked by"))

    objects = InitialAccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("initial access token")
        verbose_name_plural = _("initial access tokens")
        constraints = [
            models.CheckConstraint(condition=Q(token_hash__regex=HEX_SHA256), name="dcr_iat_hash_hex"),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="dcr_iat_max_uses_positive"),
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")), name="dcr_iat_uses_within_limit"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def uses_left(self) -> int:
        return max(0, self.max_uses - self.uses)

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked is not None:
            return "revoked"
        if self.expires <= now:
            return "expired"
        if self.uses >= self.max_uses:
            return "used_up"
        return "active"
