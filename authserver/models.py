"""The one record the toolkit has no place for: which access token is a developer token."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings


class DeveloperToken(models.Model):
    """The developer token of one user for one app (at most one; a new one replaces it).

    Deleting the access token deletes this row, so a revoked or expired-and-cleared
    developer token leaves nothing behind.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    access_token = models.OneToOneField(
        oauth2_settings.ACCESS_TOKEN_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="%(app_label)s_one_developer_token")
        ]

    def __str__(self):
        return f"Developer token #{self.pk}"


class AuthorizationCodeRecord(models.Model):
    """What the toolkit's Grant does not remember about an authorization code.

    - whether the authorization request carried `redirect_uri` (RFC 6749 §4.1.3: the
      token request must then repeat it; when it was left out, it may be left out);
    - after the code was exchanged, which tokens that exchange issued, so that a second
      use of the code revokes them (RFC 6749 §4.1.2, RFC 9700 §4.2.4). The toolkit
      deletes its Grant at the first exchange; this row outlives it.

    The code itself is not stored, only its SHA-256.
    """

    code_checksum = models.CharField(_("code checksum"), max_length=64, unique=True)
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    redirect_uri_in_request = models.BooleanField(_("redirect URI in the authorization request"))
    # Filled in by the first successful exchange.
    token_family = models.UUIDField(_("refresh token family"), null=True, blank=True)
    access_token_checksum = models.CharField(_("access token checksum"), max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    def __str__(self):
        return f"Authorization code #{self.pk}"
