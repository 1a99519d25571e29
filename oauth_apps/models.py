"""The registered application and its icon."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Range
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication

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


def user_reference(verbose_name) -> models.ForeignKey:
    """A link to the person who did something; it becomes empty, not an error, if they are deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
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

    def name_taken_by_portal_app(self, name: str) -> bool:
        return self.name_taken(name)

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

    # The toolkit's column, with our words: set once when the app is made (the list filters by it).
    registration_source = models.CharField(
        _("registered through"),
        max_length=32,
        choices=RegistrationSource.choices,
        default=RegistrationSource.PORTAL,
        editable=False,
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = _("OAuth application")
        verbose_name_plural = _("OAuth applications")
        # Beyond add/change/delete/view (see oauth_apps/access.py for what each allows).
        permissions = [
            ("view_all_applications", _("Can see other users' applications in the portal's list")),
            ("reset_secret_oauthapplication", _("Can reset another user's client secret")),
            ("mark_resource_server", _("Can mark an application as a resource server")),
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
            models.Index(fields=["user", "-created"], name="oauth_app_user_created_idx"),
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
        return Q(**{f"{prefix}enabled": True})

    @property
    def usable(self) -> bool:
        """Whether the app may sign people in, obtain tokens, use them and allow its origins."""
        return bool(self.enabled)

    def is_usable(self, request):
        # The toolkit asks this before it authenticates a client: an app that may not
        # be used cannot obtain tokens, whatever it presents.
        return self.usable and super().is_usable(request)

    @property
    def is_public(self) -> bool:
        return self.client_type == ClientType.PUBLIC

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
    DELETE = "delete", _("Deleted")
    TOKEN_GENERATED = "token_generated", _("Developer token generated")
    TOKEN_REVOKED = "token_revoked", _("Token revoked")


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
