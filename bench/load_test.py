"""Load test: gunicorn on loopback under a mix of list views, registrations and
token requests, bounded in time. Prints throughput, latency and the error count.

    make loadtest                       # SQLite in a throwaway data directory
    DATABASE_URL=postgres://… make loadtest
    LOAD_SECONDS=30 LOAD_CLIENTS=12 make loadtest

Only 127.0.0.1 is ever contacted. Exits non-zero when any request failed.
"""

import base64
import hashlib
import io
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import throwaway_database  # noqa: E402

SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
PASSWORD = "load-test-password-1"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
VALUE_RE = r'data-testid="{}"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="{}"'
TOKEN_APP_REDIRECT = "https://token-app.load-test.com/callback"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def icon_png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (seed % 256, (seed * 7) % 256, (seed * 13) % 256)).save(buffer, "PNG")
    return buffer.getvalue()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.examples = []

    def record(self, kind, started, ok, detail=""):
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if not ok:
                self.errors[kind] += 1
                if len(self.examples) < 5:
                    self.examples.append(f"{kind}: {detail}")


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.text)
    return match.group(1) if match else ""


def sign_in(base, username) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_from(page)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    response.raise_for_status()
    if "sessionid" not in session.cookies:
        raise RuntimeError(f"could not sign in as {username}")
    return session


def view_list(session, base, stats, rng):
    params = rng.choice([{}, {"page": 1}, {"q": "Load"}, {"state": "enabled"}, {"sort": "name"}])
    started = time.perf_counter()
    response = session.get(f"{base}/settings/developer-tools/oauth/", params=params, timeout=30)
    stats.record("list", started, response.status_code == 200, response.status_code)


def register(session, base, stats, rng, counter):
    form_url = f"{base}/settings/developer-tools/oauth/new/"
    started = time.perf_counter()
    page = session.get(form_url, timeout=30)
    number = next(counter)
    host = f"app{number}.load-test.com"
    response = session.post(
        form_url,
        data={
            "csrfmiddlewaretoken": csrf_from(page),
            "name": f"Load app {number} {rng.random():.6f}",
            "website_url": f"https://{host}",
            "redirect_uris": [f"https://{host}/callback"],
            "allowed_origins": [f"https://{host}"],
            "scopes": rng.sample(["files:read", "rooms:write", "accounts.self:read", "openid"], 2),
            "privacy_policy_url": f"https://{host}/privacy",
            "terms_of_service_url": f"https://{host}/terms",
            "save": "1",
        },
        files={"icon": ("icon.png", icon_png(number), "image/png")},
        headers={"Referer": form_url},
        allow_redirects=False,
        timeout=30,
    )
    stats.record("register", started, response.status_code == 302, response.status_code)


def testid_value(html, testid):
    match = re.search(VALUE_RE.format(testid, testid), html)
    return (match.group(1) or match.group(2)) if match else ""


def register_token_app(base, username):
    """Register the confidential app the token requests use; return (client_id, secret)."""
    session = sign_in(base, username)
    form_url = f"{base}/settings/developer-tools/oauth/new/"
    page = session.get(form_url, timeout=30)
    response = session.post(
        form_url,
        data={
            "csrfmiddlewaretoken": csrf_from(page),
            "name": "Load token app",
            "website_url": "https://token-app.load-test.com",
            "redirect_uris": [TOKEN_APP_REDIRECT],
            "allowed_origins": ["https://token-app.load-test.com"],
            "scopes": ["accounts.self:read", "files:read"],
            "privacy_policy_url": "https://token-app.load-test.com/privacy",
            "terms_of_service_url": "https://token-app.load-test.com/terms",
            "save": "1",
        },
        files={"icon": ("icon.png", icon_png(0), "image/png")},
        headers={"Referer": form_url},
        timeout=30,
    )
    client_id, secret = testid_value(response.text, "client-id"), testid_value(response.text, "client-secret")
    if not (client_id and secret):
        raise RuntimeError("could not register the token app")
    return client_id, secret


def authorize(session, base, stats, client):
    """Consent as the signed-in user, exchange the code; keep the refresh token."""
    verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": client["id"],
        "redirect_uri": TOKEN_APP_REDIRECT,
        "state": "load",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    started = time.perf_counter()
    page = session.get(f"{base}/oauth/authorize/", params=params, timeout=30)
    fields = dict(HIDDEN_RE.findall(page.text.split("consent-whoami")[0]))
    fields["allow"] = "Allow"
    answer = session.post(
        page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=30
    )
    code = requests.utils.urlparse(answer.headers.get("Location", "")).query
    code = dict(pair.split("=", 1) for pair in code.split("&") if "=" in pair).get("code", "")
    response = requests.post(
        f"{base}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": TOKEN_APP_REDIRECT,
            "code_verifier": verifier,
        },
        auth=(client["id"], client["secret"]),
        timeout=30,
    )
    ok = response.status_code == 200 and "refresh_token" in response.json()
    stats.record("authorize", started, ok, f"{answer.status_code}/{response.status_code}")
    if ok:
        client["refresh"] = response.json()["refresh_token"]


def refresh(session, base, stats, client):
    if not client.get("refresh"):
        return authorize(session, base, stats, client)
    started = time.perf_counter()
    response = requests.post(
        f"{base}/oauth/token/",
        data={"grant_type": "refresh_token", "refresh_token": client["refresh"]},
        auth=(client["id"], client["secret"]),
        timeout=30,
    )
    ok = response.status_code == 200
    stats.record("token", started, ok, f"{response.status_code} {response.text[:80]}")
    client["refresh"] = response.json().get("refresh_token") if ok else None
    return None


def run_client(base, username, stats, deadline, seed, counter, token_app):
    rng = random.Random(seed)
    session = sign_in(base, username)
    client = {"id": token_app[0], "secret": token_app[1]}
    actions = {
        "list": lambda: view_list(session, base, stats, rng),
        "register": lambda: register(session, base, stats, rng, counter),
        "authorize": lambda: authorize(session, base, stats, client),
        "token": lambda: refresh(session, base, stats, client),
    }
    names, weights = zip(*MIX, strict=True)
    while time.monotonic() < deadline:
        action = rng.choices(names, weights)[0]
        try:
            actions[action]()
        except (requests.RequestException, ValueError) as error:
            stats.record(action, time.perf_counter(), False, repr(error))


MIX = [("list", 6), ("register", 2), ("authorize", 1), ("token", 3)]


def main() -> int:
    drop, where = throwaway_database()
    try:
        return run(where)
    finally:
        drop()


def run(where) -> int:
    data_dir = tempfile.mkdtemp(prefix="portal-load-")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "docspace_portal.settings",
            "PORTAL_DATA_DIR": data_dir,
            "PORTAL_READ_DOT_ENV": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "RATE_LIMIT_LOGIN": "100000/m",
            "RATE_LIMIT_REGISTER": "100000/m",
            "RATE_LIMIT_TOKEN": "100000/m",
        }
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "init_data_dir", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    users = [f"loader{n}" for n in range(CLIENTS)]
    create = (
        "from django.contrib.auth import get_user_model as g; U = g(); "
        f"[U.objects.create_user(n, password={PASSWORD!r}) for n in {users!r}]"
    )
    subprocess.run([python, "manage.py", "shell", "-c", create], cwd=ROOT, env=env, check=True)
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "docspace_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        stats = Stats()
        counter = iter(range(1, 10**9))
        token_app = register_token_app(base, users[0])
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=run_client, args=(base, name, stats, deadline, n, counter, token_app))
            for n, name in enumerate(users)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)

    total = sum(len(values) for values in stats.latencies.values())
    errors = sum(stats.errors.values())
    print(f"load test: {CLIENTS} clients, {WORKERS} gunicorn workers, {elapsed:.1f} s, {where}")
    print(f"{'kind':<10} {'requests':>9} {'errors':>7} {'median ms':>10} {'p95 ms':>8}")
    for kind, values in sorted(stats.latencies.items()):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"{kind:<10} {len(values):>9} {stats.errors[kind]:>7} "
            f"{statistics.median(values) * 1000:>10.1f} {p95 * 1000:>8.1f}"
        )
    print(f"total: {total} requests, {total / elapsed:.1f} req/s, {errors} errors")
    for example in stats.examples:
        print("  error:", example)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
