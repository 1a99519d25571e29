"""Serve the portal with gunicorn on loopback and time requests to it, for the scripts in bench/.

Every figure is a request's full round trip over HTTP (connect, gunicorn, every
middleware, the view, the body read), measured from this process. Each script
prints a minimal view's time from the same run beside its figures: that floor is
what any request to this server costs, so ratios stay meaningful when the
machine is busy.
"""

import atexit
import http.client
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "/bench/minimal/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _data_dir() -> str:
    """A new data directory with its development keys (settings only read them), removed at exit."""
    from common.datadir import init_data_dir

    os.environ["PORTAL_BENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="portal-bench-")
    atexit.register(shutil.rmtree, os.environ["PORTAL_BENCH_DATA_DIR"], ignore_errors=True)
    init_data_dir(Path(os.environ["PORTAL_BENCH_DATA_DIR"]), keys=True)
    return os.environ["PORTAL_BENCH_DATA_DIR"]


def server_environment(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench._settings",
            "PORTAL_DATA_DIR": os.environ.get("PORTAL_BENCH_DATA_DIR") or _data_dir(),
            "PORTAL_READ_DOT_ENV": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 20,
        }
    )
    env.update(extra)
    return env


def configure() -> None:
    """Make this process's Django settings the server's (same data directory, secret key, settings)."""
    for key in [key for key in os.environ if key.startswith("DJANGO_")]:
        del os.environ[key]
    os.environ.update(server_environment())


class Server:
    """gunicorn on 127.0.0.1 (never another address) for the duration of a `with` block."""

    def __init__(self, *, workers=1, worker_class="sync", threads=1, env=None, root=ROOT):
        self.root = Path(root)
        self.port = free_port()
        self.args = [
            str(Path(sys.executable).with_name("gunicorn")),
            "bench._wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            # Clients reuse their connections between actions: keep them open meanwhile
            # (gunicorn's default of 2 s closes some just as a busy client reuses them).
            "--keep-alive",
            "30",
            "--timeout",
            "120",
            "--env",
            "DJANGO_SETTINGS_MODULE=bench._settings",
        ]
        self.env = env or server_environment()

    def __enter__(self):
        self.process = subprocess.Popen(self.args, cwd=self.root, env=self.env, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                if request(self.port, FLOOR)[1] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise SystemExit("gunicorn did not answer on loopback")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)


def server_cpu(headers) -> float:
    """The CPU ms the server reported for a response (bench/_wsgi.py's Server-Timing header)."""
    for part in (headers.get("Server-Timing") or "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name == "cpu":
            return float(duration)
    raise SystemExit("the server did not report its CPU time (Server-Timing)")


def request(port, path, *, method="GET", headers=None, body=None):
    """One request on a new connection; return (milliseconds, status, headers, body)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, response.status, response.headers, content


def measure(send, *, runs, warmup=3):
    """Median and p95 (ms) of `runs` calls of `send()`, after `warmup` untimed ones.

    `send` returns the time of one request; it raises on a wrong answer.
    """
    for _ in range(warmup):
        send()
    times = sorted(send() for _ in range(runs))
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return statistics.median(times), p95


def measure_interleaved(sends: dict, *, runs, warmup=3, shuffle=False) -> dict:
    """Medians of each of `sends` (label → `send()`), timed in interleaved rounds.

    Each round calls every `send` once, in order, so the floor and the views see
    the same moments of a busy machine; a burst of load then inflates every row of
    that round instead of one row. With `shuffle`, each round takes them in a new
    order (the same orders every run): where a row stands in the round can change
    what the worker spends on it (in bench/cors.py, of the two API calls, whichever
    came first in a fixed order cost ~0.5 ms more CPU), and a fixed order would give
    that to the same row every round. `send()` returns (wall ms, server CPU ms).
    Returns label → (median wall, p95 wall, median server CPU).
    """
    for _ in range(warmup):
        for send in sends.values():
            send()
    walls = {label: [] for label in sends}
    cpus = {label: [] for label in sends}
    orders = random.Random(0)
    for _ in range(runs):
        labels = list(sends)
        if shuffle:
            orders.shuffle(labels)
        for label in labels:
            send = sends[label]
            wall, cpu = send()
            walls[label].append(wall)
            cpus[label].append(cpu)
    results = {}
    for label, values in walls.items():
        values.sort()
        p95 = values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]
        results[label] = (statistics.median(values), p95, statistics.median(cpus[label]))
    return results


def load_average() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def session_cookie(user) -> str:
    """A session cookie for `user`, made the way the login view makes one (in the shared database)."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest

    request_ = HttpRequest()
    request_.session = SessionStore()
    login(request_, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request_.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request_.session.session_key}"


def seed(size, seeded) -> float:
    """Grow the demo data to `size` apps; return the seconds it took, and refresh the planner's statistics."""
    import io

    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    if size > seeded:
        call_command("seed_apps", count=size - seeded, seed=size, stdout=io.StringIO())
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return elapsed
