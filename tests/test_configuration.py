"""Settings behave as the README says."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(tmp_path, **env):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_READ_DOT_ENV": "false", **env})
    environment["DJANGO_SETTINGS_MODULE"] = "docspace_portal.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_variable(tmp_path, missing):
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    }
    del env[missing]
    result = run_check(tmp_path, **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_unconfigured_checkout_runs_and_keeps_a_generated_key(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_check(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_check_deploy_is_clean_in_production(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_READ_DOT_ENV": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "z7Q" * 20,
            "DJANGO_ALLOWED_HOSTS": "portal.example.com",
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
