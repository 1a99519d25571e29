"""The registered application and its icon."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Range
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication

from common.last_used import touch_last_used

from . import scopes as scope_catalog
from .names import DescriptionFormField, NameFormField, name_key, validate_description, validate_name
from .validators import validate_origins, validate_redirect_uris, validate_web_url

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 255
URL_MAX_LENGTH = 2048
MAX_REDIRECT_URIS = 12
MAX_ALLOWED_ORIGINS = 12


class ClientType(models.TextChoices):
    CONFIDENTIAL = AbstractApplication.CLIENT_CONFIDENTIAL, _("Confidential (client secret)")
    PUBLIC = AbstractApplication.CLIENT_PUBLIC, _("Public (PKCE only)")


class IconContentType(models.TextChoices):
    PNG = "image/png", "PNG"
    SVG = "image/svg+xml", "SVG"


class Icon(models.Model):
    """A normalised icon, stored once per content (the key is its SHA-256)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=32, choices=IconContentType.choices)
    data = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=IconContentType.values),
                name="%(app_label)s_icon_content_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="%(app_label)s_icon_sha256"
            ),
        ]

    def __str__(self):
        return f"{self.sha256[:12]} ({self.get_content_type_display()})"

    def get_absolute_url(self):
        return reverse("oauth_apps:icon", args=[self.sha256])


def user_reference(verbose_name, **options) -> models.ForeignKey:
    """A link to the person who did something; it becomes empty, not an error, if they are deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )


def queryable_client_id(value):
    """The client ID if it could exist at all, else None.

    Client IDs are printable ASCII; anything else (a NUL byte above all, which
    PostgreSQL refuses outright) must never reach a query.
    """
    if not isinstance(value, str) or not value or len(value) > 255:
        return None
    if not (value.isascii() and value.isprintable()):
        return None
    return value


class ApplicationQuerySet(models.QuerySet):
    def get(self, *args, **kwargs):
        # The toolkit loads every client with objects.get(client_id=…), whatever the
        # request carried. It expects a ValueError for a NUL byte, but psycopg 3 raises
        # DataError: a client ID that cannot exist is simply not found.
        if "client_id" in kwargs and queryable_client_id(kwargs["client_id"]) is None:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return super().get(*args, **kwargs)


class ApplicationManager(models.Manager.from_queryset(ApplicationQuerySet)):
    """`get(client_id=…)` answers from the request's cache inside `read_once()` (see there).

    Built from `ApplicationQuerySet`, so a client ID that cannot exist is not found
    (never a database error) whether it is asked for here or on a queryset.
    """

    def by_client_id(self, client_id: str) -> "OAuthApplication | None":
        """The app with this client ID, or None; read once per `read_once()` scope."""
        if queryable_client_id(client_id) is None:
            return None
        cache = _read_once.get()
        if cache is None:
            return self.filter(client_id=client_id).first()
        if client_id not in cache:
            cache[client_id] = self.filter(client_id=client_id).first()
        return cache[client_id]

    def name_taken(self, name: str, *, exclude_pk: int | None = None) -> bool:
        """Whether a portal-registered app's name reads like `name` (names.name_key).

        Self-registered clients store a key of their own (see `stored_name_key`), so
        they never block a name, and this answers for them too: a client registering
        itself under a name that reads like a portal app's is refused.
        """
        return self.filter(name_key=name_key(name)).exclude(pk=exclude_pk).exists()

    def get(self, *args, **kwargs):
        if "client_id" in kwargs and queryable_client_id(kwargs["client_id"]) is None:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        if args or set(kwargs) != {"client_id"} or _read_once.get() is None:
            return super().get(*args, **kwargs)
        app = self.by_client_id(kwargs["client_id"])
        if app is None:
            raise self.model.DoesNotExist(f"No {self.model._meta.object_name} with this client ID.")
        return app


# client_id → application (or None) for the request being served inside read_once().
_read_once: ContextVar[dict | None] = ContextVar("oauth_apps_read_once", default=None)


@contextmanager
def read_once():
    """Within this block, an application asked for by client ID is read from the database once.

    The authorize endpoint asks for its client three times in one request: our
    disabled-app check, the toolkit's validator (`Application.objects.get(client_id=…)`)
    and the toolkit's view (the same call again). Inside this block they share one
    read. The cache lives for the block only (one request), so a change made by
    another request is seen by the next one.
    """
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


class ReadableTextField(models.CharField):
    """Text a person reads: its form field normalises what was typed (oauth_apps/names.py).

    The form class changes nothing in the database, so migrations do not record it.
    """

    def __init__(self, *args, form_class=NameFormField, **kwargs):
        self.form_class = form_class
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": self.form_class, **kwargs})


class RegistrationSource(models.TextChoices):
    """How an app came to exist: a person's form, or the client registering itself.

    The values are the toolkit's own (`AbstractApplication.RegistrationSource`), so
    its code reading `registration_source` keeps working; the names and words are ours.
    """

    PORTAL = AbstractApplication.RegistrationSource.MANUAL, _("Registered in the portal")
    METADATA_DOCUMENT = AbstractApplication.RegistrationSource.CIMD, _("Client ID metadata document")
    DYNAMIC = AbstractApplication.RegistrationSource.DCR, _("Dynamic client registration")


class ReviewState(models.TextChoices):
    """Whether staff let the app sign people in (the optional review of new apps, PortalPolicy)."""

    APPROVED = "approved", _("Approved")
    PENDING = "pending", _("Waiting for review")
    REJECTED = "rejected", _("Rejected")


REVIEW_NOTE_MAX_LENGTH = 1000


class OAuthApplication(AbstractApplication):
    """A registered OAuth 2.0 client: the toolkit's fields plus the portal's."""

    objects = ApplicationManager()

    name = ReadableTextField(
        _("name"), max_length=NAME_MAX_LENGTH, validators=[MinLengthValidator(NAME_MIN_LENGTH), validate_name]
    )
    # names.name_key(name): equal for names that read the same (case, width, spacing,
    # look-alike letters). Set by save() and by every service that writes a name.
    name_key = models.CharField(_("name key"), max_length=64, unique=True, editable=False)
    website_url = models.CharField(_("website URL"), max_length=URL_MAX_LENGTH, validators=[validate_web_url])
    description = ReadableTextField(
        _("description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        validators=[validate_description],
        form_class=DescriptionFormField,
    )
    privacy_policy_url = models.CharField(
        _("privacy policy URL"), max_length=URL_MAX_LENGTH, validators=[validate_web_url]
    )
    terms_of_service_url = models.CharField(
        _("terms of service URL"), max_length=URL_MAX_LENGTH, validators=[validate_web_url]
    )
    icon = models.ForeignKey(Icon, on_delete=models.PROTECT, related_name="+", verbose_name=_("icon"))
    scope_bits = models.PositiveIntegerField(_("scopes"))
    enabled = models.BooleanField(_("enabled"), default=True)
    modified_by = user_reference(_("last modified by"))
    # Bumped on every change; an edit form carries the version it started from.
    version = models.PositiveIntegerField(default=1)
    # May introspect tokens issued to other apps (authserver/views.py IntrospectView).
    # Set only by staff holding the mark_resource_server permission.
    is_resource_server = models.BooleanField(
        _("resource server"),
        default=False,
        help_text=_("May introspect tokens issued to other applications."),
    )

    # A secret rotation (services.rotate_secret): the secret before the current one,
    # hashed like it, keeps working until `previous_secret_expires`;
    # `previous_secret_last_used` is when a token request last authenticated with it
    # (written at most once a minute, see common/last_used.py). All three are empty
    # when no rotation is in progress.
    previous_client_secret = models.CharField(max_length=255, blank=True, default="", editable=False)
    previous_secret_expires = models.DateTimeField(
        _("old secret works until"), null=True, blank=True, editable=False
    )
    previous_secret_last_used = models.DateTimeField(
        _("old secret last used"), null=True, blank=True, editable=False
    )

    # The toolkit's column, with our words: set once when the app is made (the list filters by it).
    registration_source = models.CharField(
        _("registered through"),
        max_length=32,
        choices=RegistrationSource.choices,
        default=RegistrationSource.PORTAL,
        editable=False,
    )

    # Staff review (PortalPolicy.review_new_apps): only an approved app may sign anyone
    # in (is_usable). Apps made while the policy is off, and every app that existed
    # before it, are approved. Written only by services.review_application and the
    # services that create or resubmit an app.
    review_state = models.CharField(
        _("review"), max_length=16, choices=ReviewState.choices, default=ReviewState.APPROVED, editable=False
    )
    # When the app (last) entered the queue: the queue is oldest first by this.
    review_requested = models.DateTimeField(_("review requested"), null=True, blank=True, editable=False)
    # The reviewer's words to the owner: required when rejecting, optional when approving.
    review_note = models.TextField(_("reviewer's note"), max_length=REVIEW_NOTE_MAX_LENGTH, blank=True)
    reviewed_by = user_reference(_("reviewed by"), editable=False)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = _("OAuth application")
        verbose_name_plural = _("OAuth applications")
        # Beyond add/change/delete/view (see oauth_apps/access.py for what each allows).
        permissions = [
            ("view_all_applications", _("Can see other users' applications in the portal's list")),
            ("reset_secret_oauthapplication", _("Can reset another user's client secret")),
            ("mark_resource_server", _("Can mark an application as a resource server")),
            ("review_oauthapplication", _("Can approve or reject applications waiting for review")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Range(Length("name"), (NAME_MIN_LENGTH, NAME_MAX_LENGTH)),
                name="%(app_label)s_app_name_length",
            ),
            models.CheckConstraint(
                condition=Q(client_type__in=ClientType.values), name="%(app_label)s_app_client_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE),
                name="%(app_label)s_app_grant_is_code",
            ),
            models.CheckConstraint(
                condition=Q(scope_bits__gte=1, scope_bits__lte=scope_catalog.ALL_SCOPE_BITS),
                name="%(app_label)s_app_scope_bits_range",
            ),
            models.CheckConstraint(
                condition=~Q(website_url="") & ~Q(privacy_policy_url="") & ~Q(terms_of_service_url=""),
                name="%(app_label)s_app_urls_present",
            ),
            models.CheckConstraint(condition=~Q(redirect_uris=""), name="%(app_label)s_app_redirect_present"),
            models.CheckConstraint(
                condition=Q(registration_source__in=RegistrationSource.values),
                name="%(app_label)s_app_registration_source_valid",
            ),
            # An old secret never lingers without the moment it stops working.
            models.CheckConstraint(
                condition=Q(previous_client_secret="", previous_secret_expires__isnull=True)
                | (~Q(previous_client_secret="") & Q(previous_secret_expires__isnull=False)),
                name="%(app_label)s_app_previous_secret_expires",
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values), name="%(app_label)s_app_review_state_valid"
            ),
        ]
        # The list sorts by one of these indexes and, because every filter column
        # (state, scopes, name) is in it too, picks a page's ids from the index
        # alone: no table row is read for the rows it skips or filters out.
        # See docs/managing-apps.md; migration 0003 adds PostgreSQL's trigram
        # index for name search beside them.
        indexes = [
            models.Index(
                fields=["-created", "-id", "enabled", "scope_bits", "name"], name="oauth_app_created_idx"
            ),
            models.Index(
                fields=["-updated", "-id", "enabled", "scope_bits", "name"], name="oauth_app_updated_idx"
            ),
            models.Index(
                Lower("name"), F("enabled"), F("scope_bits"), F("name"), name="oauth_app_name_list_idx"
            ),
            # The state filter (enabled / disabled), newest first: the count and the page read only
            # the entries of that state, and test the scope bit inside the index.
            models.Index(
                fields=["enabled", "-created", "-id", "scope_bits"], name="oauth_app_state_created_idx"
            ),
            models.Index(fields=["user", "-created"], name="oauth_app_user_created_idx"),
            # The review queue (oldest first) and its count in the navigation: only
            # pending apps are in this index, so both read a handful of entries.
            models.Index(
                fields=["review_requested", "id"],
                condition=Q(review_state="pending"),
                name="oauth_app_review_queue_idx",
            ),
        ]

    def __str__(self):
        return self.name

    def stored_name_key(self) -> str:
        """What `name_key` holds: the name's look-alike key for apps registered in the portal.

        Clients that register themselves (metadata documents, dynamic registration)
        may share a name ("Claude Code" arrives many times), so theirs is a key of
        their client ID instead: unique, and never equal to a name's key. They are
        still refused a name that reads like a portal app's (`name_taken`).
        """
        if self.registration_source == RegistrationSource.PORTAL:
            return name_key(self.name)
        return hashlib.sha256(f"{self.registration_source}\0{self.client_id}".encode()).hexdigest()

    def save(self, *args, **kwargs):
        self.name_key = self.stored_name_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("oauth_apps:detail", args=[self.pk])

    def clean(self):
        """The URL rules of validators.py for the two lists, so any ModelForm applies them.

        The web URLs carry them as field validators. Redirect URLs are checked here
        because their rule depends on the client type; origins because the field is
        the toolkit's. (The toolkit's own clean() is not called: it would refuse what
        our rules allow, such as http loopback origins and private-use redirect
        schemes for native apps.) A form that refused a list already keeps the stored
        value on the instance, so nothing is reported twice.
        """
        errors = {}
        checks = {
            "redirect_uris": lambda value: validate_redirect_uris(value, public_client=self.is_public),
            "allowed_origins": validate_origins,
        }
        for field, check in checks.items():
            try:
                check(getattr(self, field))
            except ValidationError as error:
                errors[field] = error.error_list
        if errors:
            raise ValidationError(errors)

    # --- "may this app be used at all?": decided here, and only here ------------------

    @staticmethod
    def usable_filter(prefix: str = "") -> Q:
        """`usable` as a query condition; `prefix` reaches the app through a relation ("application__")."""
        return Q(**{f"{prefix}enabled": True, f"{prefix}review_state": ReviewState.APPROVED})

    @property
    def usable(self) -> bool:
        """Whether the app may sign people in, obtain tokens, use them and allow its origins.

        Enabled, and approved by staff when the portal reviews new apps (unusable_reason
        says which of the two is missing).
        """
        return not self.unusable_reason

    @property
    def unusable_reason(self) -> str:
        """Why this app may not be used ("" when it may): the rule behind `usable` and `usable_filter`.

        The consent screen names the reason; the token endpoint only refuses.
        """
        if not self.enabled:
            return "application_disabled"
        if self.review_state == ReviewState.PENDING:
            return "application_pending_review"
        if self.review_state != ReviewState.APPROVED:
            return "application_rejected"
        return ""

    def is_usable(self, request):
        # The toolkit asks this before it authenticates a client: an app that may not
        # be used cannot obtain tokens, whatever it presents.
        return self.usable and super().is_usable(request)

    def check_client_secret(self, provided: str) -> bool:
        """Does `provided` authenticate this client? The one place a client secret is checked.

        The current secret, or — during a rotation, until `previous_secret_expires` —
        the previous one, each with the hasher its stored value names (the fast
        salted SHA-256 of oauth_apps/hashers.py). An expired previous secret is
        simply not checked, so it fails exactly as a wrong one does. A use of the
        previous secret is noted as its last use (at most one write a minute).
        """
        if _secret_matches(provided, self.client_secret):
            return True
        if not self.rotation_in_progress or not _secret_matches(provided, self.previous_client_secret):
            return False
        self.previous_secret_last_used = touch_last_used(
            OAuthApplication, self.pk, "previous_secret_last_used", self.previous_secret_last_used
        )
        return True

    @property
    def rotation_in_progress(self) -> bool:
        """Is an old secret still accepted beside the current one?"""
        return (
            bool(self.previous_client_secret)
            and self.previous_secret_expires is not None
            and timezone.now() < self.previous_secret_expires
        )

    @property
    def is_approved(self) -> bool:
        return self.review_state == ReviewState.APPROVED

    @property
    def jwk_key(self):
        """The key that signs this app's ID tokens: the active one of authserver/signing_keys.py.

        The toolkit reads this twice per ID token (for the header's `kid`, then to
        sign); it is kept on the instance so both reads give the same key, even at
        the instant a rotation takes effect.
        """
        if self.algorithm != self.RS256_ALGORITHM:
            return super().jwk_key
        if getattr(self, "_signing_jwk", None) is None:
            from authserver import signing_keys

            self._signing_jwk = signing_keys.current().signing_key()
        return self._signing_jwk

    @property
    def is_public(self) -> bool:
        return self.client_type == ClientType.PUBLIC

    @staticmethod
    def is_document_source(registration_source: str) -> bool:
        """`described_by_document` for an app registered through `registration_source`.

        The rule itself, for code that holds the column's value rather than an
        instance (the list reads its rows as tuples).
        """
        return registration_source == RegistrationSource.METADATA_DOCUMENT

    @property
    def described_by_document(self) -> bool:
        """Is it a Client ID Metadata Document's client (client_metadata/), its details not editable here?

        Its client ID is the document's URL, and every fetch of the document
        replaces its details, so a person's edit would be silently undone: the
        portal offers no Edit for such an app, and the edit form refuses one
        (`described_by_metadata_document`). Enable, disable and delete still work
        as for any app.
        """
        return self.is_document_source(self.registration_source)

    @property
    def scope_names(self) -> list[str]:
        return scope_catalog.names_from_bits(self.scope_bits)

    @property
    def scope_list(self) -> list[scope_catalog.Scope]:
        return scope_catalog.from_bits(self.scope_bits)

    @property
    def redirect_uri_list(self) -> list[str]:
        return self.redirect_uris.split()

    @property
    def allowed_origin_list(self) -> list[str]:
        return self.allowed_origins.split()

    @property
    def icon_url(self) -> str:
        return reverse("oauth_apps:icon", args=[self.icon_id])


def _secret_matches(provided, stored: str) -> bool:
    """`provided` against a stored secret: hashed (by the hasher it names) or, in old rows, plain.

    As the toolkit's own check: a public client's empty secret matches an empty one.
    """
    if not isinstance(provided, str):
        return False
    try:
        identify_hasher(stored)
    except ValueError:  # stored before secrets were hashed
        return constant_time_compare(provided, stored)
    return check_password(provided, stored)


class AllowedOrigin(models.Model):
    """One allowed origin of one application: the index that answers "which apps allow this origin?".

    `OAuthApplication.allowed_origins` stays the source of truth (the form, the
    audit diff and the admin read it); these rows are derived from it by
    `oauth_apps.origins.sync_allowed_origins`, which the services call after every
    write of that column. CORS (authserver/cors.py) asks this table, so deciding
    an origin is one index lookup however many apps exist.
    """

    application = models.ForeignKey(OAuthApplication, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=URL_MAX_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["origin", "application"], name="%(app_label)s_origin_per_app")
        ]

    def __str__(self):
        return self.origin


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    ENABLE = "enable", _("Enabled")
    DISABLE = "disable", _("Disabled")
    SECRET_RESET = "secret_reset", _("Secret reset")
    SECRET_ROTATED = "secret_rotated", _("Secret rotated")
    SECRET_ROTATION_ENDED = "secret_rotation_ended", _("Old secret ended")
    DELETE = "delete", _("Deleted")
    TOKEN_GENERATED = "token_generated", _("Developer token generated")
    TOKEN_REVOKED = "token_revoked", _("Token revoked")
    REVIEW_APPROVED = "review_approved", _("Approved by a reviewer")
    REVIEW_REJECTED = "review_rejected", _("Rejected by a reviewer")
    MAINTAINER_ADDED = "maintainer_added", _("Co-maintainer added")
    MAINTAINER_REMOVED = "maintainer_removed", _("Co-maintainer removed")
    MAINTAINER_LEFT = "maintainer_left", _("Co-maintainer left")
    TRANSFER_OFFERED = "transfer_offered", _("Transfer offered")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer offer cancelled")
    TRANSFER_DECLINED = "transfer_declined", _("Transfer offer declined")
    TRANSFER_ACCEPTED = "transfer_accepted", _("Ownership transferred")


class Maintainer(models.Model):
    """A co-maintainer of an application: may edit it, not delete or transfer it (see access.py)."""

    application = models.ForeignKey(
        OAuthApplication, on_delete=models.CASCADE, related_name="maintainers", verbose_name=_("application")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    added_by = user_reference(_("added by"))
    created = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-maintainer")
        verbose_name_plural = _("co-maintainers")
        ordering = ["created", "id"]
        constraints = [
            # Also the index that answers "does this user maintain this app?" (access.py's EXISTS).
            models.UniqueConstraint(fields=["application", "user"], name="%(app_label)s_maintainer_once"),
        ]
        indexes = [models.Index(fields=["user", "application"], name="oauth_maintainer_user_idx")]

    def __str__(self):
        return f"{self.user} · {self.application}"


class OwnershipOffer(models.Model):
    """An owner's offer to hand an app to another user; nothing changes until they accept.

    At most one per app. Cancelling, declining and accepting delete the row (the
    audit trail keeps the story); an offer past `expires` counts as gone.
    """

    application = models.OneToOneField(
        OAuthApplication,
        on_delete=models.CASCADE,
        related_name="ownership_offer",
        verbose_name=_("application"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("offered by")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("offered to")
    )
    # The owner's choice when offering: stay on as a co-maintainer after the transfer.
    keep_as_maintainer = models.BooleanField(_("stay on as co-maintainer"), default=False)
    created = models.DateTimeField(_("offered"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("ownership offer")
        verbose_name_plural = _("ownership offers")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["to_user", "expires"], name="oauth_offer_to_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="%(app_label)s_offer_not_to_self"
            ),
        ]

    def __str__(self):
        return f"{self.application} → {self.to_user}"


class AuditEvent(models.Model):
    """Who did what to an application, and when. Outlives the application.

    The application's id, name and client ID are copied so the record still
    reads when the application is gone. Secrets never go in here.
    """

    application = models.ForeignKey(
        OAuthApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    application_pk = models.BigIntegerField(_("application id"), db_index=True)
    application_name = models.CharField(_("application name"), max_length=NAME_MAX_LENGTH)
    client_id = models.CharField(_("client ID"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    # What the actor acted through when it was not the portal's pages, e.g. an API token.
    via = models.CharField(_("via"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    # The application's version after the event: an edit form opened at version
    # N shows the events above N when its save is refused as a conflict.
    app_version = models.PositiveIntegerField(_("application version"), null=True, blank=True)
    # {"field": {"old": …, "new": …}} for updates; free-form details otherwise.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["application_pk", "-created"], name="audit_app_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="%(app_label)s_audit_action_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.application_name} by {self.actor_name or '—'}"


class RegistrationPolicy(models.TextChoices):
    """Who may register a client without a person filling in the form (RFC 7591)."""

    OFF = "off", _("Off: apps are registered only through the portal")
    PUBLIC = "public", _("Open to public clients (PKCE only)")
    TOKEN = "token", _("Only with an initial access token made by staff")


class PortalPolicy(models.Model):
    """The administrators' switches, one row for the whole portal (pk=1).

    Environment variables give the defaults a fresh row starts from; once the row
    exists, the administrators' choices in the admin win. `PortalPolicy.load()`
    reads it (one query) where a decision needs it.
    """

    SINGLETON_PK = 1

    review_new_apps = models.BooleanField(
        _("review new apps"),
        default=False,
        help_text=_(
            "New apps start as pending review and cannot sign anyone in until staff approve them. "
            "Apps that exist when this is switched on are not affected."
        ),
    )
    registration_policy = models.CharField(
        _("dynamic client registration"),
        max_length=16,
        choices=RegistrationPolicy.choices,
        default=RegistrationPolicy.PUBLIC,
    )
    updated = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = user_reference(_("changed by"))

    class Meta:
        verbose_name = _("portal policy")
        verbose_name_plural = _("portal policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="%(app_label)s_policy_single_row"),
            models.CheckConstraint(
                condition=Q(registration_policy__in=RegistrationPolicy.values),
                name="%(app_label)s_policy_registration_valid",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def defaults(cls) -> dict:
        return {
            "review_new_apps": settings.PORTAL_POLICY_DEFAULTS["review_new_apps"],
            "registration_policy": settings.PORTAL_POLICY_DEFAULTS["registration_policy"],
        }

    @classmethod
    def load(cls) -> "PortalPolicy":
        policy, _created = cls.objects.get_or_create(pk=cls.SINGLETON_PK, defaults=cls.defaults())
        return policy
