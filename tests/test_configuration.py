"""Settings behave as the README says."""

import json
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
    # The key given as PEM text this time, not as a file.
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        OIDC_RSA_PRIVATE_KEY_FILE=None,
        OIDC_RSA_PRIVATE_KEY=signing_key_file(tmp_path).read_text(),
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
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "-v0"], ["shell", "-c", RENDER_PAGES]):
        result = manage(tmp_path, *command)
        assert result.returncode == 0, result.stdout + result.stderr


def production_env(tmp_path, **overrides):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "OIDC_", "RATE_LIMIT_"))
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
    for key, value in overrides.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


def manage(tmp_path, *command, **overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


ISSUERS = """
import json
from django.core.management import call_command
from django.test import Client
# The metadata reads the portal policy (whether to name the registration endpoint).
call_command("migrate", verbosity=0)
for host in ("portal.example.com", "PORTAL.EXAMPLE.COM", "portal.example.com.", "10.1.2.3",
             "Portal.Example.Com.:8443", "10.1.2.3:443"):
    client = Client(HTTP_HOST=host)
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        response = client.get(path, secure=True)
        assert response.status_code == 200, (host, path, response.status_code)
        print(json.dumps([host, path, response.json()["issuer"]]))
"""


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, "https://portal.example.com"), ("https://Login.Example.COM/", "https://login.example.com")],
)
def test_production_issuer_never_follows_the_host_header(tmp_path, configured, expected):
    result = manage(
        tmp_path,
        "shell",
        "-c",
        ISSUERS,
        DJANGO_ALLOWED_HOSTS="portal.example.com,10.1.2.3",
        OIDC_ISSUER=configured,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(answers) == 12
    assert {issuer for _host, _path, issuer in answers} == {expected}


@pytest.mark.parametrize("hosts", [".example.com", "*"])
def test_production_without_issuer_needs_one_named_first_host(tmp_path, hosts):
    result = manage(tmp_path, "check", DJANGO_ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "OIDC_ISSUER must be set" in result.stderr


@pytest.mark.parametrize(
    "issuer", ["ftp://portal.example.com", "https://portal.example.com/?x=1", "http://a.b"]
)
def test_a_malformed_issuer_is_refused_by_name(tmp_path, issuer):
    result = manage(tmp_path, "check", OIDC_ISSUER=issuer)
    assert result.returncode != 0
    assert "OIDC_ISSUER=" in result.stderr


@pytest.mark.parametrize(
    "variable", ["RATE_LIMIT_LOGIN", "RATE_LIMIT_SECRET_RESET", "RATE_LIMIT_CLIENT_REGISTRATION"]
)
def test_a_malformed_rate_stops_the_start_and_names_the_variable(tmp_path, variable):
    result = run_check(tmp_path, **{variable: "10/5x"})
    assert result.returncode != 0
    assert f"{variable}='10/5x' is not a rate" in result.stderr
    # gunicorn runs no checks itself: importing the WSGI application runs them.
    wsgi = subprocess.run(
        [sys.executable, "-c", "import docspace_portal.wsgi"],
        cwd=ROOT,
        env=production_env(tmp_path, **{variable: "10/5x"}),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert wsgi.returncode != 0
    assert variable in wsgi.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CORS_ORIGIN_CACHE_SECONDS", "5s"),
        ("CLIENT_METADATA_MAX_BYTES", "5KiB"),
        ("DATABASE_CONN_MAX_AGE", "1m"),
    ],
)
def test_a_malformed_number_stops_the_start_and_names_the_variable(tmp_path, variable, value):
    result = run_check(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r} is not a valid value" in result.stderr


@pytest.mark.parametrize("cache_url", ["locmemcache://", "dummycache://"])
def test_production_refuses_a_per_process_cache(tmp_path, cache_url):
    result = manage(tmp_path, "check", CACHE_URL=cache_url)
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
    assert "every worker shares" in result.stderr


SHARED_CACHE = """
from django.conf import settings
from django.core.cache import cache
from django.db import connection
print("backend", settings.CACHES["default"]["BACKEND"])
print("table", settings.CACHES["default"]["LOCATION"] in connection.introspection.table_names())
cache.set("probe", 41)
print("incr", cache.incr("probe"))
"""


def test_production_counts_in_the_database_cache_when_no_cache_url_is_given(tmp_path):
    """migrate makes its table; every command says at start-up where rate limits are counted."""
    migrated = manage(tmp_path, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    result = manage(tmp_path, "shell", "-c", SHARED_CACHE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "backend django.core.cache.backends.db.DatabaseCache" in result.stdout
    assert "table True" in result.stdout
    assert "incr 42" in result.stdout
    assert "waiting client secrets are kept in the shared cache DatabaseCache" in result.stderr
    assert "issuer https://portal.example.com" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "ftp://mcp.example.com/mcp",
        "https://mcp.example.com/mcp?x=1",
        "https://mcp.example.com/mcp#part",
        "https://user@mcp.example.com/mcp",
        "http://mcp.example.com/mcp",
        "mcp.example.com",
    ],
)
def test_a_malformed_resource_indicator_stops_the_start_and_names_the_variable(tmp_path, value):
    result = run_check(tmp_path, PORTAL_RESOURCE_INDICATORS=f"https://ok.example.com/mcp,{value}")
    assert result.returncode != 0
    assert "PORTAL_RESOURCE_INDICATORS" in result.stderr
    assert value in result.stderr


def test_https_and_development_loopback_resource_indicators_are_accepted(tmp_path):
    assert run_check(tmp_path, command="init_data_dir").returncode == 0
    result = run_check(
        tmp_path, PORTAL_RESOURCE_INDICATORS="https://mcp.example.com/mcp, http://127.0.0.1:9000/mcp"
    )
    assert result.returncode == 0, result.stderr


def test_production_accepts_https_resource_indicators(tmp_path):
    result = manage(tmp_path, "check", PORTAL_RESOURCE_INDICATORS="https://mcp.example.com/mcp")
    assert result.returncode == 0, result.stderr


def test_production_refuses_a_plain_http_resource_even_on_loopback(tmp_path):
    result = manage(tmp_path, "check", PORTAL_RESOURCE_INDICATORS="http://127.0.0.1:9000/mcp")
    assert result.returncode != 0
    assert "PORTAL_RESOURCE_INDICATORS" in result.stderr
