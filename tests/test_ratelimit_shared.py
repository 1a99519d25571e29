"""Rate limits hold across processes when CACHE_URL points at Redis.

Two separate gunicorn processes share one Redis: attempts spread over both
are counted together, as they would be over several hosts.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .tcp_proxy import free_port
from .test_outage import _wait_for, prepare_server

ROOT = Path(__file__).resolve().parent.parent
REDIS_DB = 13


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not answering at 127.0.0.1:6379 (it runs on CI machines)")
    yield f"redis://127.0.0.1:6379/{REDIS_DB}"
    client.flushdb()


def _start(port, env):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "docspace_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _attempt(base):
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token},
        timeout=10,
    )
    return response.status_code


def test_sign_in_limit_is_shared_by_two_server_processes(redis_url, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "docspace_portal.settings",
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_READ_DOT_ENV": "false",
            "CACHE_URL": redis_url,
            # A day-long window: the six attempts never straddle two windows.
            "RATE_LIMIT_LOGIN": "5/d",
        }
    )
    prepare_server(env)
    ports = [free_port(), free_port()]
    servers = [_start(port, env) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            assert _wait_for(f"{base}/healthz", 200) == 200
        statuses = [_attempt(bases[n % 2]) for n in range(6)]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    assert statuses == [200, 200, 200, 200, 200, 429]
