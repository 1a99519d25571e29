"""Load test: gunicorn on loopback under a realistic mix, then the same mix against a minimal view.

    make loadtest                                        # SQLite in a throwaway data directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make loadtest   # a throwaway database beside it
    LOAD_SECONDS=20 LOAD_CLIENTS=8 make loadtest

LOAD_CLIENTS clients (default 32), each signed in as its own staff user, run for
LOAD_SECONDS (default 60) against LOAD_WORKERS gunicorn gthread workers (default 4,
LOAD_THREADS threads each, default 8), over LOAD_APPS seeded apps (default 10,000).
Each client picks actions at random by these weights:

    list      the list: first page, a search, a state + scope filter, sort, a deep page
    register  the registration form, then its POST with an icon
    authorize the consent screen, Allow, then the code exchange at the token endpoint
    token     a refresh-token grant (rotation)
    api       a browser's API call: preflight, then GET /api/2.0/people/@self with the
              bearer token from an allowed origin (the CORS header must name it)
    bulk      bulk disable or enable of the client's own apps: confirmation, then POST

Then the same clients run the same mix for the same time, every request replaced by a
request to a minimal view (same server, same middleware): the throughput ratio is what
the portal costs over a server that does nothing. Prints requests, errors, median,
p95 and p99 per kind. Only 127.0.0.1 is ever contacted. Exits non-zero on any error.
"""

import base64
import hashlib
import io
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._http import FLOOR, Server, load_average, server_environment  # noqa: E402
from bench._throwaway import throwaway_database  # noqa: E402

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "32"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
THREADS = int(os.environ.get("LOAD_THREADS", "8"))
APPS = int(os.environ.get("LOAD_APPS", "10000"))
PASSWORD = "load-test-password-1"
LIST = "/settings/developer-tools/oauth/"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
VALUE_RE = r'data-testid="{}"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="{}"'
TOKEN_APP = "https://token-app.load-test.com"
TOKEN_APP_REDIRECT = f"{TOKEN_APP}/callback"
MIX = [("list", 8), ("register", 1), ("authorize", 2), ("token", 3), ("api", 5), ("bulk", 1)]
# HTTP requests each action makes: the floor run makes as many to the minimal view.
REQUESTS_PER_ACTION = {"list": 1, "register": 2, "authorize": 3, "token": 1, "api": 2, "bulk": 2}
LIST_VIEWS = [
    {},
    {"q": "calendar"},
    {"q": "Load app"},
    {"state": "disabled", "scope": "rooms:write"},
    {"state": "enabled", "scope": "files:read"},
    {"sort": "name"},
    {"page": "40"},
    {"per_page": "100"},
]


def icon_png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (seed % 256, (seed * 7) % 256, (seed * 13) % 256)).save(buffer, "PNG")
    return buffer.getvalue()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.requests = 0
        self.examples = []

    def record(self, kind, started, ok, detail="", requests_made=1):
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            self.requests += requests_made
            if not ok:
                self.errors[kind] += 1
                if len(self.examples) < 8:
                    self.examples.append(f"{kind}: {detail}")


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.text)
    return match.group(1) if match else ""


def testid_value(html, testid):
    match = re.search(VALUE_RE.format(testid, testid), html)
    return (match.group(1) or match.group(2)) if match else ""


def sign_in(base, username) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=60)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_from(page)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=60,
    )
    response.raise_for_status()
    if "sessionid" not in session.cookies:
        raise RuntimeError(f"could not sign in as {username}")
    return session


def registration(number, rng, host, name=None):
    return {
        "name": name or f"Load app {number} {rng.random():.6f}",
        "website_url": host,
        "redirect_uris": [f"{host}/callback"],
        "allowed_origins": [host],
        "scopes": rng.sample(["files:read", "rooms:write", "accounts.self:read", "openid"], 2),
        "privacy_policy_url": f"{host}/privacy",
        "terms_of_service_url": f"{host}/terms",
        "save": "1",
    }


class Client:
    """One simulated person: a signed-in browser session plus an app that holds tokens."""

    def __init__(self, base, username, stats, rng, counter, token_app):
        self.base, self.stats, self.rng, self.counter = base, stats, rng, counter
        self.session = sign_in(base, username)
        self.app = {"id": token_app[0], "secret": token_app[1]}
        self.own_apps: list[str] = []
        self.disable_next = True

    def list(self):
        params = self.rng.choice(LIST_VIEWS)
        started = time.perf_counter()
        response = self.session.get(f"{self.base}{LIST}", params=params, timeout=60)
        self.stats.record("list", started, response.status_code == 200, response.status_code)

    def register(self):
        form_url = f"{self.base}{LIST}new/"
        started = time.perf_counter()
        page = self.session.get(form_url, timeout=60)
        number = next(self.counter)
        data = registration(number, self.rng, f"https://app{number}.load-test.com")
        response = self.session.post(
            form_url,
            data={**data, "csrfmiddlewaretoken": csrf_from(page)},
            files={"icon": ("icon.png", icon_png(number), "image/png")},
            headers={"Referer": form_url},
            allow_redirects=False,
            timeout=60,
        )
        ok = response.status_code == 302
        self.stats.record("register", started, ok, response.status_code, 2)
        match = re.search(r"/(\d+)/credentials/", response.headers.get("Location", ""))
        if match:
            self.own_apps.append(match.group(1))

    def authorize(self):
        """Consent as the signed-in user, exchange the code; keep the tokens."""
        verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {
            "response_type": "code",
            "client_id": self.app["id"],
            "redirect_uri": TOKEN_APP_REDIRECT,
            "state": "load",
            "scope": "accounts.self:read files:read",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        started = time.perf_counter()
        page = self.session.get(f"{self.base}/oauth/authorize/", params=params, timeout=60)
        fields = dict(HIDDEN_RE.findall(page.text.split("consent-whoami")[0]))
        fields["allow"] = "Allow"
        answer = self.session.post(
            page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=60
        )
        code = parse_qs(urlsplit(answer.headers.get("Location", "")).query).get("code", [""])[0]
        response = requests.post(
            f"{self.base}/oauth/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": TOKEN_APP_REDIRECT,
                "code_verifier": verifier,
            },
            auth=(self.app["id"], self.app["secret"]),
            timeout=60,
        )
        ok = response.status_code == 200 and "refresh_token" in response.json()
        self.stats.record("authorize", started, ok, f"{answer.status_code}/{response.status_code}", 3)
        if ok:
            self.app["refresh"] = response.json()["refresh_token"]
            self.app["access"] = response.json()["access_token"]

    def token(self):
        if not self.app.get("refresh"):
            return self.authorize()
        started = time.perf_counter()
        response = requests.post(
            f"{self.base}/oauth/token/",
            data={"grant_type": "refresh_token", "refresh_token": self.app["refresh"]},
            auth=(self.app["id"], self.app["secret"]),
            timeout=60,
        )
        ok = response.status_code == 200
        self.stats.record("token", started, ok, f"{response.status_code} {response.text[:80]}")
        self.app["refresh"] = response.json().get("refresh_token") if ok else None
        if ok:
            self.app["access"] = response.json()["access_token"]
        return None

    def api(self):
        """A single-page app on an allowed origin: preflight, then the call with its bearer token."""
        if not self.app.get("access"):
            return self.authorize()
        url = f"{self.base}/api/2.0/people/@self"
        started = time.perf_counter()
        preflight = requests.options(
            url,
            headers={
                "Origin": TOKEN_APP,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            timeout=60,
        )
        response = requests.get(
            url, headers={"Origin": TOKEN_APP, "Authorization": f"Bearer {self.app['access']}"}, timeout=60
        )
        ok = (
            preflight.headers.get("Access-Control-Allow-Origin") == TOKEN_APP
            and response.status_code == 200
            and response.headers.get("Access-Control-Allow-Origin") == TOKEN_APP
        )
        self.stats.record("api", started, ok, f"{preflight.status_code}/{response.status_code}", 2)
        return None

    def bulk(self):
        if not self.own_apps:
            return self.register()
        ids = self.own_apps[-10:]
        action = "disable" if self.disable_next else "enable"
        self.disable_next = not self.disable_next
        started = time.perf_counter()
        bulk_url = f"{self.base}{LIST}bulk/"
        confirm = self.session.get(bulk_url, params={"action": action, "ids": ids}, timeout=60)
        response = self.session.post(
            bulk_url,
            data={"action": action, "ids": ids, "csrfmiddlewaretoken": csrf_from(confirm), "next": LIST},
            headers={"Referer": confirm.url},
            allow_redirects=False,
            timeout=60,
        )
        ok = confirm.status_code == 200 and response.status_code == 302
        self.stats.record("bulk", started, ok, f"{confirm.status_code}/{response.status_code}", 2)
        return None


def run_client(make_client, stats, deadline, seed, floor_url):
    rng = random.Random(seed)
    client = None if floor_url else make_client(rng)
    names, weights = zip(*MIX, strict=True)
    floor_session = requests.Session() if floor_url else None
    while time.monotonic() < deadline:
        action = rng.choices(names, weights)[0]
        try:
            if floor_url:
                started = time.perf_counter()
                answers = [
                    floor_session.get(floor_url, timeout=60) for _ in range(REQUESTS_PER_ACTION[action])
                ]
                ok = all(answer.status_code == 200 for answer in answers)
                stats.record(action, started, ok, answers[-1].status_code, len(answers))
            else:
                getattr(client, action)()
        except (requests.RequestException, ValueError) as error:
            stats.record(action, time.perf_counter(), False, repr(error))


def register_token_app(base, username):
    """Register the confidential app the token requests use; return (client_id, secret)."""
    session = sign_in(base, username)
    form_url = f"{base}{LIST}new/"
    page = session.get(form_url, timeout=60)
    data = registration(0, random.Random(0), TOKEN_APP, name="Load token app")
    data["scopes"] = ["accounts.self:read", "files:read"]
    response = session.post(
        form_url,
        data={**data, "csrfmiddlewaretoken": csrf_from(page)},
        files={"icon": ("icon.png", icon_png(0), "image/png")},
        headers={"Referer": form_url},
        timeout=60,
    )
    client_id, secret = testid_value(response.text, "client-id"), testid_value(response.text, "client-secret")
    if not (client_id and secret):
        raise RuntimeError("could not register the token app")
    return client_id, secret


def phase(base, users, token_app, floor_url=None):
    stats = Stats()
    counter = iter(range(1, 10**9))

    def make_client(rng, index):
        return Client(base, users[index], stats, rng, counter, token_app)

    # Everyone signs in before the clock starts.
    clients = {}
    if not floor_url:
        for index in range(len(users)):
            clients[index] = make_client(random.Random(index), index)
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(
            target=run_client,
            args=(lambda rng, index=index: clients[index], stats, deadline, index, floor_url),
        )
        for index in range(len(users))
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, time.monotonic() - started


def report(title, stats, elapsed):
    total_actions = sum(len(values) for values in stats.latencies.values())
    errors = sum(stats.errors.values())
    print(f"\n{title}")
    print(f"{'kind':<10} {'actions':>8} {'errors':>7} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, _weight in MIX:
        ordered = sorted(stats.latencies.get(kind, []))
        if not ordered:
            continue

        def pct(share, ordered=ordered):
            return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

        median = statistics.median(ordered) * 1000
        print(
            f"{kind:<10} {len(ordered):>8} {stats.errors[kind]:>7} "
            f"{median:>10.1f} {pct(0.95):>8.1f} {pct(0.99):>8.1f}"
        )
    print(
        f"total: {total_actions} actions, {stats.requests} HTTP requests in {elapsed:.1f} s = "
        f"{stats.requests / elapsed:.1f} requests/s, {errors} errors"
    )
    for example in stats.examples:
        print("  error:", example)
    return stats.requests / elapsed, errors


def main() -> int:
    drop, where = throwaway_database()
    try:
        return run(where)
    finally:
        drop()


def run(where) -> int:
    env = server_environment(
        RATE_LIMIT_LOGIN="100000/m",
        RATE_LIMIT_REGISTER="100000/m",
        RATE_LIMIT_TOKEN="100000/m",
        RATE_LIMIT_SECRET_RESET="100000/m",
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "init_data_dir", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "seed_apps", "--count", str(APPS), "--seed", "1"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    users = [f"loader{n}" for n in range(CLIENTS)]
    # Staff who may list every app (oauth_apps/access.py), so list views page through all of them.
    create = (
        "from django.contrib.auth import get_user_model as g; "
        "from django.contrib.auth.models import Permission; "
        "U = g(); p = Permission.objects.get(codename='view_all_applications'); "
        f"[U.objects.create_user(n, password={PASSWORD!r}, is_staff=True).user_permissions.add(p) "
        f"for n in {users!r}]"
    )
    subprocess.run([python, "manage.py", "shell", "-c", create], cwd=ROOT, env=env, check=True)
    server = Server(workers=WORKERS, worker_class="gthread", threads=THREADS, env=env)
    with server:
        base = f"http://127.0.0.1:{server.port}"
        token_app = register_token_app(base, users[0])
        print(
            f"load test: {CLIENTS} clients, {WORKERS} gunicorn gthread workers x {THREADS} threads, "
            f"{SECONDS:.0f} s per run, {APPS:,} seeded apps, {where}"
        )
        print(f"mix (weights): {', '.join(f'{kind} {weight}' for kind, weight in MIX)}")
        print(f"load average before: {load_average()}")
        stats, elapsed = phase(base, users, token_app)
        portal_rate, errors = report("The portal:", stats, elapsed)
        print(f"load average after: {load_average()}")
        stats, elapsed = phase(base, users, token_app, floor_url=f"{base}{FLOOR}")
        floor_rate, floor_errors = report(
            "The same mix, every request to a minimal view (the floor):", stats, elapsed
        )
    print(
        f"\nthroughput: portal {portal_rate:.1f} requests/s, minimal view {floor_rate:.1f} requests/s: "
        f"the portal serves {portal_rate / floor_rate:.0%} of what the same server does with no work."
    )
    return 1 if errors or floor_errors else 0


if __name__ == "__main__":
    sys.exit(main())
