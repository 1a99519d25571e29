"""Test settings: environment defaults for a throwaway run, then the real settings."""

import os
from pathlib import Path

# Tests use development mode, whatever the shell says, and write nothing to disk:
# the data directory is never made (the test database is in memory or on the
# server), and the keys are made in memory below.
os.environ["PORTAL_DATA_DIR"] = str(Path(__file__).resolve().parent / "no-data-dir")
os.environ.pop("DJANGO_DEBUG", None)
os.environ["PORTAL_READ_DOT_ENV"] = "false"
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)

from common.datadir import new_signing_key  # noqa: E402
from docspace_portal.settings import *  # noqa: E402, F403

STATIC_ROOT = None  # static files come from the finders; nothing is collected
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": new_signing_key()}  # noqa: F405

# Fast hashing for test users; client secrets keep their own hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "oauth_apps.hashers.ClientSecretHasher",
]
