"""Keeps the origin index (`AllowedOrigin`) in step with the applications' allowed origins.

One function, called by every service that writes `allowed_origins` (registration,
edit) and by the seeding command; deleting an app deletes its rows (CASCADE), and
enabling or disabling one needs nothing here because the lookup joins `enabled`.
Each change makes this process forget its remembered answers, as enabling,
disabling, reviewing and deleting do in services.py.

It also answers "does any usable app allow this origin?" for authserver/cors.py (the
one place that decides CORS), remembering each answer for `CORS_ORIGIN_CACHE_SECONDS`
in this process, so a preflight usually needs no query at all.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from .models import AllowedOrigin, OAuthApplication

# Origins remembered per process; the least recently asked is dropped beyond this.
DECISIONS_KEPT = 4096
_decisions: OrderedDict[str, tuple[float, bool]] = OrderedDict()
_decisions_lock = threading.Lock()


def any_usable_app_allows(origin: str) -> bool:
    """Whether a usable app lists `origin`: one indexed lookup, remembered for a few seconds."""
    seconds = settings.CORS_ORIGIN_CACHE_SECONDS
    now = time.monotonic()
    with _decisions_lock:
        kept = _decisions.get(origin)
        if kept is not None and kept[0] > now:
            _decisions.move_to_end(origin)
            return kept[1]
    allowed = AllowedOrigin.objects.filter(
        OAuthApplication.usable_filter("application__"), origin=origin
    ).exists()
    if seconds > 0:
        with _decisions_lock:
            _decisions[origin] = (now + seconds, allowed)
            _decisions.move_to_end(origin)
            while len(_decisions) > DECISIONS_KEPT:
                _decisions.popitem(last=False)
    return allowed


def clear_remembered() -> None:
    """Drop this process's remembered answers now (tests start each case with none)."""
    with _decisions_lock:
        _decisions.clear()


def forget_decisions() -> None:
    """An origin or an app's state changed: drop this process's remembered answers.

    At once, and again when the surrounding transaction commits (a request served
    meanwhile by another thread could have remembered the answer from before).
    """
    clear_remembered()
    transaction.on_commit(clear_remembered)


def sync_allowed_origins(apps: Iterable[OAuthApplication]) -> None:
    """Make the index hold exactly each app's current `allowed_origins`: two queries for any number."""
    apps = [app for app in apps if app.pk is not None]
    if not apps:
        return
    forget_decisions()
    AllowedOrigin.objects.filter(application_id__in=[app.pk for app in apps]).delete()
    AllowedOrigin.objects.bulk_create(
        AllowedOrigin(application_id=app.pk, origin=origin)
        for app in apps
        for origin in dict.fromkeys(app.allowed_origins.split())
    )
