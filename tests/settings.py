"""Test settings: environment defaults for a throwaway run, then the real settings."""

import os
import tempfile

# Tests use their own data directory and development mode, whatever the shell says.
os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="portal-test-")
os.environ.pop("DJANGO_DEBUG", None)
os.environ["PORTAL_READ_DOT_ENV"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)

from docspace_portal.settings import *  # noqa: E402, F403

# Fast hashing for test users; client secrets keep their own hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "oauth_apps.hashers.ClientSecretHasher",
]
