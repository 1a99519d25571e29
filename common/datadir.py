"""The data directory's development keys: made by `manage.py init_data_dir`, never by settings.

Settings only read these files; importing settings writes nothing.
"""

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)
SIGNING_KEY_FILE = "oidc_rsa_private_key.pem"


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_signing_key() -> str:
    """A new RSA private key (PEM, PKCS#8) for signing ID tokens."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def read_key(data_dir: Path, name: str) -> str:
    """A key file's text, or "" when it has not been made yet."""
    try:
        return (data_dir / name).read_text()
    except FileNotFoundError:
        return ""


def _write_once(path: Path, text: str) -> bool:
    """Create `path` (mode 0600) with `text` unless it exists; True if this call made it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False  # made before, or by a process that won the race: keep it
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return True


def init_data_dir(data_dir: Path, *, keys: bool, also: tuple[Path, ...] = ()) -> list[Path]:
    """Make the data directory (and the directories in `also`) and, if `keys`, the
    development keys that are missing; return what was made."""
    made = []
    for directory in (data_dir, *also):
        if not directory.is_dir():
            directory.mkdir(parents=True)
            made.append(directory)
    if keys:
        for name, make in ((SECRET_KEY_FILE, new_secret_key), (SIGNING_KEY_FILE, new_signing_key)):
            if not (data_dir / name).exists() and _write_once(data_dir / name, make()):
                made.append(data_dir / name)
    return made


def check_keys(app_configs=None, **kwargs):
    """System check: say how to make the development keys instead of failing on first use."""
    from django.conf import settings
    from django.core.checks import Error

    missing = []
    if not getattr(settings._wrapped, "SECRET_KEY", ""):
        missing.append("a secret key (DJANGO_SECRET_KEY)")
    if not settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        missing.append("an ID-token signing key (OIDC_RSA_PRIVATE_KEY)")
    if not missing:
        return []
    return [
        Error(
            f"Missing {' and '.join(missing)}.",
            hint=f"Run `python manage.py init_data_dir` (make run does) to make development keys in "
            f"{settings.DATA_DIR}, or set the variables (see .env.example).",
            id="portal.E001",
        )
    ]
