"""What a person chooses for themselves: the language and the time zone the portal speaks to them in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # A code from settings.LANGUAGES; blank means "follow the browser".
    language = models.CharField(_("language"), max_length=16, blank=True)
    # An IANA zone name such as "Europe/Berlin"; blank means "the browser's zone, else UTC".
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)
