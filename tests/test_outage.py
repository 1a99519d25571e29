"""With its database unreachable the portal answers 503, and recovers by itself.

A real PostgreSQL behind a TCP proxy that the test cuts and restores; the
portal runs under gunicorn in its own process with persistent connections,
as in production.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from .tcp_proxy import TcpProxy, free_port

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "postgres", "-qAtc"]

pytestmark = pytest.mark.postgres


def _psql(sql):
    return subprocess.run([*PG_ADMIN, sql], capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def throwaway_database():
    if _psql("SELECT 1").returncode != 0:
        pytest.skip("PostgreSQL is not answering at 127.0.0.1:5432 (it runs on CI machines)")
    name = f"portal_outage_{uuid.uuid4().hex[:10]}"
    assert _psql(f"CREATE DATABASE {name}").returncode == 0
    yield name
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(url, expected, seconds=20):
    deadline = time.monotonic() + seconds
    status = None
    while time.monotonic() < deadline:
        try:
            status = _status(url)
        except OSError:
            status = None
        if status == expected:
            return status
        time.sleep(0.2)
    return status


def prepare_server(env):
    """What `make run` does before serving: the data directory and keys, then migrations."""
    for command in ("init_data_dir", "migrate"):
        subprocess.run(
            [sys.executable, "manage.py", command, "-v0"], cwd=ROOT, env=env, check=True, timeout=120
        )


def test_outage_answers_503_and_recovers(throwaway_database, tmp_path):
    proxy = TcpProxy("127.0.0.1", 5432)
    proxy.start()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "docspace_portal.settings",
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_READ_DOT_ENV": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{throwaway_database}",
            "DATABASE_CONN_MAX_AGE": "600",
        }
    )
    prepare_server(env)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "docspace_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert _wait_for(url, 200) == 200
        proxy.cut()
        assert _wait_for(url, 503) == 503
        page = urllib.request.Request(
            f"http://127.0.0.1:{port}/settings/developer-tools/oauth/icons/{'0' * 64}"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(page, timeout=10)  # noqa: S310 - loopback only
        assert refused.value.code == 503
        assert "cannot reach its database" in refused.value.read().decode()

        proxy.start()
        assert _wait_for(url, 200) == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        proxy.cut()
