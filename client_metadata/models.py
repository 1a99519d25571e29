"""What the portal keeps of Client ID Metadata Documents: the last fetch of each, and the blocks."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oauth_apps.models import OAuthApplication, user_reference


class MetadataDocument(models.Model):
    """The document behind one metadata-document app (its client_id is the document's URL).

    Made with the app on its first successful fetch; `fetched` and `fresh_until`
    move on every fetch (the app's fields only when the document changed them).
    """

    application = models.OneToOneField(
        OAuthApplication,
        on_delete=models.CASCADE,
        related_name="metadata_document",
        verbose_name=_("application"),
    )
    url = models.CharField(_("document URL"), max_length=255, unique=True)
    fetched = models.DateTimeField(_("last fetched"))
    fresh_until = models.DateTimeField(_("reused until"))
    # The document as last fetched, for staff to read (it is a public document).
    document = models.JSONField(_("document"), default=dict)

    class Meta:
        verbose_name = _("metadata document")
        verbose_name_plural = _("metadata documents")

    def __str__(self):
        return self.url


class BlockKind(models.TextChoices):
    URL = "url", _("Document URL")
    HOST = "host", _("Whole host")


class BlockedClient(models.Model):
    """A metadata-document URL, or every document on a host, that the portal refuses.

    Made and removed through client_metadata.services (the admin calls them), so
    the apps it matches are disabled, with an audit record, in the same step.
    """

    kind = models.CharField(_("what"), max_length=8, choices=BlockKind.choices)
    # The exact client_id URL, or a host name in lower case (with ":port" if not 443).
    value = models.CharField(_("URL or host"), max_length=255)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created = models.DateTimeField(_("blocked"), auto_now_add=True)
    created_by = user_reference(_("blocked by"))

    class Meta:
        verbose_name = _("blocked metadata-document client")
        verbose_name_plural = _("blocked metadata-document clients")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="client_metadata_block_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=BlockKind.values), name="client_metadata_block_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"
