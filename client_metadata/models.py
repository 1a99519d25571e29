"""What the portal keeps of Client ID Metadata Documents: the last fetch of each, the keys of
clients that sign their token requests, the fetches that failed, and the blocks."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oauth_apps.models import OAuthApplication, user_reference


class AuthMethod(models.TextChoices):
    NONE = "none", _("None (PKCE only)")
    PRIVATE_KEY_JWT = "private_key_jwt", _("Signed JWT (private_key_jwt)")


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
    # How the client authenticates at the token endpoint: "none" (PKCE alone) or
    # "private_key_jwt" (a JWT signed with one of `jwks`, RFC 7523). The app row stays
    # a public client either way: the portal holds no secret of it.
    token_endpoint_auth_method = models.CharField(
        _("token endpoint authentication"), max_length=32, choices=AuthMethod.choices, default=AuthMethod.NONE
    )
    # private_key_jwt: the document's `jwks_uri`, if it names one, and the public keys
    # (the document's inline `jwks`, or the key set last fetched from `jwks_uri`).
    jwks_uri = models.CharField(_("JWKS URL"), max_length=2048, blank=True)
    jwks = models.JSONField(_("public keys"), default=dict, blank=True)
    # When the keys were last fetched from `jwks_uri`, and until when they are reused.
    keys_fetched = models.DateTimeField(_("keys last fetched"), null=True, blank=True)
    keys_fresh_until = models.DateTimeField(_("keys reused until"), null=True, blank=True)

    class Meta:
        verbose_name = _("metadata document")
        verbose_name_plural = _("metadata documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(token_endpoint_auth_method__in=AuthMethod.values),
                name="client_metadata_document_auth_method_valid",
            ),
        ]

    def __str__(self):
        return self.url

    @property
    def signs_requests(self) -> bool:
        """Does the client authenticate with a signed assertion (private_key_jwt) rather than PKCE alone?"""
        return self.token_endpoint_auth_method == AuthMethod.PRIVATE_KEY_JWT


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


class FetchFailure(models.Model):
    """A URL whose fetch failed or whose document was refused: one row per URL, for staff.

    Bounded on purpose: anyone signed in can make the portal fetch a URL, so each
    failure updates its URL's row (a count, the last error and when) instead of
    adding one, and rows not failed again for CLIENT_METADATA_FAILURE_RETENTION_DAYS
    are deleted (client_metadata.services.record_failure).
    """

    url = models.CharField(_("URL"), max_length=2048, unique=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=1)
    first_failed = models.DateTimeField(_("first failed"))
    last_failed = models.DateTimeField(_("last failed"), db_index=True)
    # A stable code of docs/error-codes.md (fetch_timeout, client_id_mismatch, …) and the words.
    last_code = models.CharField(_("last error"), max_length=64)
    last_message = models.CharField(_("last message"), max_length=500)

    class Meta:
        verbose_name = _("failed fetch")
        verbose_name_plural = _("failed fetches")
        ordering = ["-last_failed", "-id"]

    def __str__(self):
        return self.url
