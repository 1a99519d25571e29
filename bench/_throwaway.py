"""A throwaway database for a benchmark run, shared by the scripts in bench/."""

import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit


def throwaway_database():
    """Point DATABASE_URL at a fresh database; return a function that removes it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        folder = tempfile.mkdtemp(prefix="portal-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        # ~170 MB at 100,000 apps: gone with the run, as the PostgreSQL database is.
        return lambda: shutil.rmtree(folder, ignore_errors=True), "SQLite (temporary file)"

    import psycopg

    name = f"portal_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

    def drop():
        from django.conf import settings

        if settings.configured:  # a benchmark that ran Django in this process
            from django.db import connections

            connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop, f"PostgreSQL (temporary database {name})"
