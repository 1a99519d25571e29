"""Settings behave as the README says."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(tmp_path, command="check", **env):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_READ_DOT_ENV": "false", **env})
    environment["DJANGO_SETTINGS_MODULE"] = "docspace_portal.settings"
    return subprocess.run(
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def signing_key_file(directory: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    path = directory / "configured-signing-key.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return path


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "OIDC_RSA_PRIVATE_KEY_FILE"]
)
def test_production_refuses_to_start_without_required_variable(tmp_path, missing):
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "portal.example.com",
        "OIDC_RSA_PRIVATE_KEY_FILE": str(signing_key_file(tmp_path)),
    }
    del env[missing]
    result = run_check(tmp_path, **env)
    assert result.returncode != 0
    assert missing.removesuffix("_FILE") in result.stderr


def test_settings_import_writes_nothing(tmp_path):
    data_dir = tmp_path / "data"
    result = run_check(data_dir)
    assert not data_dir.exists()
    # Without keys the check says how to make them, instead of failing on first use.
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "init_data_dir" in result.stderr


def test_unconfigured_checkout_runs_and_keeps_a_generated_key(tmp_path):
    assert run_check(tmp_path, command="init_data_dir").returncode == 0
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    signing_key = (tmp_path / "oidc_rsa_private_key.pem").read_text()
    assert signing_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(key) >= 50
    assert run_check(tmp_path, command="init_data_dir").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert (tmp_path / "oidc_rsa_private_key.pem").read_text() == signing_key


def test_check_deploy_is_clean_in_production(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_READ_DOT_ENV": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "z7Q" * 20,
            "DJANGO_ALLOWED_HOSTS": "portal.example.com",
            "OIDC_RSA_PRIVATE_KEY": signing_key_file(tmp_path).read_text(),
            "DJANGO_SETTINGS_MODULE": "docspace_portal.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


RENDER_PAGES = """
import re
from django.test import Client
client = Client(HTTP_HOST="portal.example.com")
for path in ("/accounts/login/", "/healthz", "/.well-known/openid-configuration"):
    response = client.get(path, secure=True)
    print(path, response.status_code)
    assert response.status_code == 200, (path, response.status_code)
page = client.get("/accounts/login/", secure=True).content
assert re.search(rb"/static/css/portal[.][0-9a-f]{12}[.]css", page), page[:400]
"""


def test_production_serves_pages_with_collected_hashed_static_files(tmp_path):
    """What the README's production steps do: collectstatic, then pages render with hashed names."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_READ_DOT_ENV": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "z7Q" * 20,
            "DJANGO_ALLOWED_HOSTS": "portal.example.com",
            "OIDC_RSA_PRIVATE_KEY_FILE": str(signing_key_file(tmp_path)),
            "DJANGO_SETTINGS_MODULE": "docspace_portal.settings",
        }
    )
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "-v0"], ["shell", "-c", RENDER_PAGES]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
