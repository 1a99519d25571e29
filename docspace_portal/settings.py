"""Settings for DocSpace Portal.

One module for every machine: values that differ between machines come from the
environment (or a `.env` file beside manage.py) through django-environ. With no
configuration at all the portal runs on SQLite in the data directory with a
development secret key kept there. `DJANGO_DEBUG=false`, said explicitly, is
production mode: it refuses to start without a real secret key and host list.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from common.datadir import SECRET_KEY_FILE, SIGNING_KEY_FILE, read_key

BASE_DIR = Path(__file__).resolve().parent.parent


class _Env(environ.Env):
    """django-environ, refusing a malformed number or flag by the variable's name.

    Without this, `CORS_ORIGIN_CACHE_SECONDS=5s` stops the start with a bare
    "invalid literal for int()" that names no variable.
    """

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{var}={os.environ.get(var, '')!r} is not a valid value ({error}). See .env.example."
            ) from error


env = _Env()
if env.bool("PORTAL_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# Made, with the development keys, by `manage.py init_data_dir` (`make run` calls it).
DATA_DIR = Path(env.str("PORTAL_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Production is asked for explicitly; an unconfigured checkout is a development machine.
PRODUCTION = "DJANGO_DEBUG" in os.environ and not DEBUG

if PRODUCTION:
    for _required in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        if not env.str(_required, default="").strip():
            raise ImproperlyConfigured(
                f"{_required} must be set in production mode (DJANGO_DEBUG=false). See .env.example."
            )


# Without a key Django refuses to start and the system check says how to make one.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or read_key(DATA_DIR, SECRET_KEY_FILE).strip()
# Previous secret keys, still accepted for what they signed or sealed (sessions, and the
# ID-token signing keys in the database: authserver/signing_keys.py) while it is replaced.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])


def _signing_key() -> str:
    pem = env.str("OIDC_RSA_PRIVATE_KEY", multiline=True, default="").strip()
    key_file = env.str("OIDC_RSA_PRIVATE_KEY_FILE", default="").strip()
    if pem:
        return pem + "\n"
    if key_file:
        return Path(key_file).read_text()
    if PRODUCTION:
        raise ImproperlyConfigured(
            "OIDC_RSA_PRIVATE_KEY or OIDC_RSA_PRIVATE_KEY_FILE must be set in production mode "
            "(DJANGO_DEBUG=false): every host must sign ID tokens with the same key. See .env.example."
        )
    # Production must configure its key: a key generated per host would sign
    # tokens that the other hosts' JWKS does not list.
    return read_key(DATA_DIR, SIGNING_KEY_FILE)


ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])


def _issuer() -> str:
    """The OIDC issuer: OIDC_ISSUER, else (production) https:// and the first allowed host.

    One canonical value whatever the Host header says (`PORTAL.EXAMPLE.COM`,
    `portal.example.com.`, an IP address …): relying parties compare it
    exactly. Outside production an empty value lets the toolkit take it from
    each request, which is what a developer's varying local address needs.
    """
    configured = env.str("OIDC_ISSUER", default="").strip()
    if configured:
        parts = urlsplit(configured)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if (
            parts.scheme.lower() not in ("https", "http")
            or not parts.hostname
            or parts.query
            or parts.fragment
            or "@" in parts.netloc
            or (PRODUCTION and parts.scheme.lower() != "https" and not loopback)
        ):
            raise ImproperlyConfigured(
                f"OIDC_ISSUER={configured!r} is not an issuer URL: https://host[:port][/path], "
                "without query, fragment or user name. See .env.example."
            )
        netloc = parts.netloc.lower().replace(parts.hostname + ".", parts.hostname, 1)
        return f"{parts.scheme.lower()}://{netloc}{parts.path}".rstrip("/")
    if not PRODUCTION:
        return ""
    host = ALLOWED_HOSTS[0].strip().lower().rstrip(".") if ALLOWED_HOSTS else ""
    if not host or host.startswith(".") or "*" in host:
        raise ImproperlyConfigured(
            "OIDC_ISSUER must be set in production mode (DJANGO_DEBUG=false) when the first of "
            f"DJANGO_ALLOWED_HOSTS ({ALLOWED_HOSTS[0] if ALLOWED_HOSTS else ''!r}) is not one host name: "
            "the issuer is never taken from the request. See .env.example."
        )
    return f"https://{host}"


CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Only for naturaltime ("5 minutes ago") and its translations.
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "csp",
    # The toolkit first so that our admin can replace its application admin.
    "oauth2_provider",
    "oauth_apps",
    "authserver",
    "accounts",
    "clients_api",
    "dynamic_registration",
    "client_metadata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.csp.PortalCSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the cookie (set by the switcher, and at sign-in from the profile),
    # else Accept-Language, else English; it also sets Content-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "docspace_portal.urls"
WSGI_APPLICATION = "docspace_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "oauth_apps.review.review_queue",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock up
    # front so concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Keep connections between requests (SQLite too: opening one and running its
# set-up costs more than most queries, e.g. the CORS origin lookup).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and the one-time secret stash are counted and kept here, so in
# production every worker must see the same cache: Redis through CACHE_URL, or,
# when CACHE_URL is unset, Django's database cache (its table is made by
# `migrate`, and by `manage.py createcachetable`). A per-process cache is refused.
DATABASE_CACHE_TABLE = "portal_cache"
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif PRODUCTION:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
        }
    }
else:
    CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://docspace-portal")}
if PRODUCTION and CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
    raise ImproperlyConfigured(
        "CACHE_URL names a cache each worker keeps for itself; production mode (DJANGO_DEBUG=false) "
        "needs one every worker shares, so that rate limits count every attempt: use redis://… or "
        "leave CACHE_URL unset for the database cache. See .env.example."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Only for client secrets (see oauth_apps/hashers.py); never the default for passwords.
    "oauth_apps.hashers.ClientSecretHasher",
]
# Django's backend, loading the profile (time zone, language) in the same query as the user.
AUTHENTICATION_BACKENDS = ["accounts.backends.ProfileBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "oauth_apps:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Names as each language calls itself are shown by the switcher (get_language_info).
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("ru", "Russian"),
    ("zh-hans", "Simplified Chinese"),
    ("ar", "Arabic"),
]
# Catalogs are compiled (.mo) by `make run`/`make test` and the test run itself; see docs/translating.md.
LOCALE_PATHS = [BASE_DIR / "locale"]
# A year, so an anonymous visitor's choice survives; signing in re-applies the profile's choice.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
# The zone for people who chose none and whose browser did not say (accounts/timezones.py).
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the source folders, so no
# collectstatic step is needed to develop or test.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Icons are the only uploads; the handler keeps at most 64 KiB of each file.
FILE_UPLOAD_HANDLERS = ["oauth_apps.uploads.IconUploadHandler"]

# Rate limits ("COUNT/[N]UNIT", unit s, m, h or d), counted in the shared cache.
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="10/5m"),
    "register": env.str("RATE_LIMIT_REGISTER", default="60/h"),
    "secret_reset": env.str("RATE_LIMIT_SECRET_RESET", default="10/h"),
    "token": env.str("RATE_LIMIT_TOKEN", default="30/h"),
    # Management API calls, per token; and making personal access tokens, per user.
    "api": env.str("RATE_LIMIT_API", default="300/m"),
    "api_token": env.str("RATE_LIMIT_API_TOKEN", default="20/h"),
    # Dynamic client registration (POST /oauth/register), per address.
    "client_registration": env.str("RATE_LIMIT_CLIENT_REGISTRATION", default="20/h"),
    # Fetches of Client ID Metadata Documents a signed-in person's sign-ins may cause (client_metadata/).
    "client_metadata": env.str("RATE_LIMIT_CLIENT_METADATA", default="30/h"),
}

# The defaults of the administrators' switches (oauth_apps.models.PortalPolicy): they
# seed the one policy row when it is first read; after that the admin's choices win.
_REGISTRATION_POLICIES = ("off", "public", "token")
PORTAL_POLICY_DEFAULTS = {
    "review_new_apps": env.bool("PORTAL_REVIEW_NEW_APPS", default=False),
    "registration_policy": env.str("PORTAL_REGISTRATION_POLICY", default="public").strip().lower(),
}
if PORTAL_POLICY_DEFAULTS["registration_policy"] not in _REGISTRATION_POLICIES:
    raise ImproperlyConfigured(
        f"PORTAL_REGISTRATION_POLICY={PORTAL_POLICY_DEFAULTS['registration_policy']!r} is not one of "
        f"{', '.join(_REGISTRATION_POLICIES)}. See .env.example."
    )


def _resource_indicators() -> list[str]:
    """Other resource servers tokens may be bound to (RFC 8707), e.g. an MCP server's URL.

    Each an absolute https URL (http only for a loopback host outside production),
    without user name, query or fragment. See authserver/resources.py.
    """
    found = []
    for value in env.list("PORTAL_RESOURCE_INDICATORS", default=[]):
        value = value.strip()
        parts = urlsplit(value)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if (
            parts.scheme not in ("https", "http")
            or (parts.scheme == "http" and (PRODUCTION or not loopback))
            or not parts.hostname
            or parts.query
            or parts.fragment
            or "@" in parts.netloc
        ):
            raise ImproperlyConfigured(
                f"PORTAL_RESOURCE_INDICATORS: {value!r} is not a resource URL: https://host[:port][/path], "
                "without query, fragment or user name. See .env.example."
            )
        found.append(value)
    return found


RESOURCE_INDICATORS = _resource_indicators()

# A dynamically registered client that obtains no token within this many hours is
# removed (dynamic_registration: `manage.py prune_registrations`, and as clients register).
_unused_hours = env.str("DYNAMIC_REGISTRATION_UNUSED_HOURS", default="24").strip()
if not _unused_hours.isascii() or not _unused_hours.isdigit() or int(_unused_hours) < 1:
    raise ImproperlyConfigured(
        f"DYNAMIC_REGISTRATION_UNUSED_HOURS={_unused_hours!r} is not a whole number of hours of at least 1. "
        "See .env.example."
    )
DYNAMIC_REGISTRATION_UNUSED_HOURS = int(_unused_hours)
# Client ID Metadata Documents (client_metadata/, docs/authorization-server.md): a client_id
# that is an https URL names a JSON document the portal fetches, with these limits.
CLIENT_METADATA_DOCUMENTS_ENABLED = env.bool("CLIENT_METADATA_DOCUMENTS_ENABLED", default=True)
CLIENT_METADATA_MAX_BYTES = env.int("CLIENT_METADATA_MAX_BYTES", default=5 * 1024)
CLIENT_METADATA_CONNECT_TIMEOUT = env.float("CLIENT_METADATA_CONNECT_TIMEOUT", default=2.0)
# The whole fetch (connect, TLS, request, response) must finish within this many seconds.
CLIENT_METADATA_TIMEOUT = env.float("CLIENT_METADATA_TIMEOUT", default=5.0)
# A document is reused as long as its Cache-Control/Expires says, within the floor and the ceiling.
CLIENT_METADATA_CACHE_MIN_SECONDS = env.int("CLIENT_METADATA_CACHE_MIN_SECONDS", default=5 * 60)
CLIENT_METADATA_CACHE_MAX_SECONDS = env.int("CLIENT_METADATA_CACHE_MAX_SECONDS", default=24 * 60 * 60)
# Extra CA certificates (a PEM file) trusted beside the system's when fetching documents and logos.
CLIENT_METADATA_CA_BUNDLE = env.str("CLIENT_METADATA_CA_BUNDLE", default="")
# Development only: fetch documents from loopback addresses (127.0.0.0/8, ::1). Refused in production.
CLIENT_METADATA_ALLOW_LOOPBACK = env.bool("CLIENT_METADATA_ALLOW_LOOPBACK", default=False)
if PRODUCTION and CLIENT_METADATA_ALLOW_LOOPBACK:
    raise ImproperlyConfigured(
        "CLIENT_METADATA_ALLOW_LOOPBACK is for development only and is refused in production mode "
        "(DJANGO_DEBUG=false): it would let anyone make the portal fetch from its own host. See .env.example."
    )
if not 0 <= CLIENT_METADATA_CACHE_MIN_SECONDS <= CLIENT_METADATA_CACHE_MAX_SECONDS:
    raise ImproperlyConfigured(
        "CLIENT_METADATA_CACHE_MIN_SECONDS must be between 0 and CLIENT_METADATA_CACHE_MAX_SECONDS. "
        "See .env.example."
    )

# --- Security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
# A refused form gets the portal's own page with a way back, never Django's debug page.
CSRF_FAILURE_VIEW = "docspace_portal.errors.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# --- OAuth 2.0 ---------------------------------------------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth_apps.OAuthApplication"
OAUTH2_PROVIDER = {
    # Scopes come from the catalog in oauth_apps/scopes.py, limited per app.
    "SCOPES_BACKEND_CLASS": "oauth_apps.scope_backend.CatalogScopes",
    # Our rules on top of the toolkit's: disabled apps, exact redirect URIs, S256 only.
    "OAUTH2_VALIDATOR_CLASS": "authserver.oauth2_validators.PortalValidator",
    "OIDC_SERVER_CLASS": "authserver.server.PortalServer",
    "OIDC_ENABLED": True,
    # Never taken from the request in production: see _issuer().
    "OIDC_ISS_ENDPOINT": _issuer(),
    "OIDC_RSA_PRIVATE_KEY": _signing_key(),
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    "CLIENT_SECRET_HASHER": "client_secret_sha256",
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60,
    # An ID token is read once, when the client receives it, to learn who signed in;
    # the client keeps its own session after that and never sends it to an API. Ten
    # minutes covers clock skew between client and server without leaving a leaked
    # token usable (as an id_token_hint, say) for hours. See docs/authorization-server.md.
    "ID_TOKEN_EXPIRE_SECONDS": 10 * 60,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    # RFC 9700 (OAuth 2.0 Security BCP): adopt every compliant behaviour now.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # RFC 8707: a token bound to resources works at our Bearer endpoints only when our
    # API is one of them (authserver/resources.py).
    "RESOURCE_SERVER_TOKEN_RESOURCE_VALIDATOR": "authserver.resources.portal_accepts",
}

SILENCED_SYSTEM_CHECKS = [
    # http redirect URIs stay allowed for RFC 8252 loopback callbacks only:
    # oauth_apps/validators.py refuses http for every other host at registration.
    "oauth2_provider.W008",
    # HSTS preload is a commitment for the whole domain; DJANGO_SECURE_HSTS_PRELOAD opts in.
    "security.W021",
]

# CORS answers only what an enabled app allows: authserver/cors.py decides per request,
# and only for the token, revocation, userinfo and API endpoints (never the authorize
# endpoint or pages).
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_URLS_REGEX = r"^/(?:oauth/(?:token|revoke|userinfo)/|api/2\.0/)"
# A single-page app must be able to read the Bearer challenge (insufficient_scope, and
# which scope would do) of a 401 or 403 (RFC 6750 §3).
CORS_EXPOSE_HEADERS = ["WWW-Authenticate"]
CORS_ALLOW_CREDENTIALS = False
# No Access-Control-Max-Age: a browser re-checks soon after an origin is removed.
CORS_PREFLIGHT_MAX_AGE = 0
# Each server process remembers whether an origin belongs to an enabled app for this
# many seconds (authserver/cors.py): a preflight then needs no query. A change made
# through the portal takes effect at once in the process that made it, and within
# this bound in every other process. 0 asks the database on every request.
CORS_ORIGIN_CACHE_SECONDS = env.int("CORS_ORIGIN_CACHE_SECONDS", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
