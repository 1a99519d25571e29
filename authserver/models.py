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
