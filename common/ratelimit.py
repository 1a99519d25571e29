"""Rate limits shared by every worker through the configured cache.

A fixed window per (limit, key): the first hit creates the counter with the
window as its lifetime, later hits increment it atomically (Redis INCR, the
database cache's row, or the local-memory cache's lock). Over the limit the
request gets a 429 page with Retry-After, and nothing behind the limit runs.

Sign-in (`sign_in_limited`, on the portal's form and the admin's) counts
failed attempts only, per address and per username, the username keyed on
the form authentication uses (NFKC, as Django's username field normalises
it) and case-folded; a successful sign-in takes its attempt back. When few
tries remain the page says how many.

Production requires a cache every worker shares (settings.CACHES); a
malformed RATE_LIMIT_* value is a system-check error at start-up (checks.py).
"""

import contextlib
import hashlib
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'10/5m' → 10 per 300 seconds; '20/h' → 20 per hour."""
        match = _RATE_RE.match(text)
        if not match:
            raise ValueError(f"Rate {text!r} is not of the form COUNT/[N]UNIT, e.g. 10/5m or 100/h")
        count, multiple, unit = match.groups()
        return cls(count=int(count), seconds=int(multiple or 1) * _UNIT_SECONDS[unit])


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def by_ip(request) -> str:
    return f"ip:{client_ip(request)}"


def by_user_or_ip(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return by_ip(request)


def username_key(raw: str) -> str:
    """The username as authentication sees it (Django's UsernameField: stripped, NFKC), case-folded.

    `ｂｏｂ`, `ｂob` and `BOB` all count against `bob`.
    """
    return unicodedata.normalize("NFKC", raw.strip()).casefold()


def by_posted_username(request) -> str | None:
    username = username_key(request.POST.get("username") or "")
    # A key of bounded length: the hash of a long name still names it alone.
    return f"username:{hashlib.sha256(username.encode()).hexdigest()}" if username else None


@dataclass(frozen=True)
class Hit:
    cache_key: str
    count: int
    retry_after: int  # seconds until the window ends

    def over(self, rate: "Rate") -> bool:
        return self.count > rate.count


def count_hit(name: str, key: str, rate: Rate) -> Hit:
    """Count one hit against (name, key) in the current window."""
    now = int(time.time())
    window = now // rate.seconds
    cache_key = f"ratelimit:{name}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=rate.seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=rate.seconds + 1)
            count = 1
    return Hit(cache_key, count, max(1, (window + 1) * rate.seconds - now))


def take_back(hit_: Hit) -> None:
    """Undo one counted hit (a sign-in that succeeded)."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to undo
        cache.decr(hit_.cache_key)


def hit(name: str, key: str, rate: Rate) -> int | None:
    """Count one hit; return seconds to wait when over the limit, else None."""
    counted = count_hit(name, key, rate)
    return counted.retry_after if counted.over(rate) else None


def too_many_requests(request, retry_after: int):
    response = render(
        request,
        "429.html",
        {"retry_after": retry_after, "minutes": max(1, round(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def check(request, name: str, keys: tuple[Callable, ...] = (by_user_or_ip,)):
    """Count this request against settings.RATE_LIMITS[name]; a 429 response if over, else None."""
    rate = Rate.parse(settings.RATE_LIMITS[name])
    for key_func in keys:
        key = key_func(request)
        if key is None:
            continue
        retry_after = hit(name, key, rate)
        if retry_after is not None:
            return too_many_requests(request, retry_after)
    return None


def rate_limited(
    name: str,
    *,
    keys: tuple[Callable, ...] = (by_user_or_ip,),
    methods=("POST",),
    when: Callable | None = None,
):
    """Limit a view by settings.RATE_LIMITS[name], counted per key function.

    `when(request)`, if given, narrows what counts (one button of a form, say).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and (when is None or when(request)):
                limited = check(request, name, keys)
                if limited is not None:
                    return limited
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Below this many tries left, the sign-in page says how many remain.
FEW_TRIES_LEFT = 3
SIGN_IN_KEYS = (by_ip, by_posted_username)


def sign_in_limited(view):
    """The one limiter of every sign-in form (the portal's and the admin's): failed attempts count.

    Each POST is counted before the form runs (so simultaneous guesses cannot
    slip past the limit) and taken back if it signed the user in: ten
    colleagues signing in correctly from one office address never lock the
    eleventh out. After a failure with few tries left, the page (a
    TemplateResponse, not yet rendered) gets `tries_left` and `pause_minutes`.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        rate = Rate.parse(settings.RATE_LIMITS["login"])
        hits = []
        for key_func in SIGN_IN_KEYS:
            key = key_func(request)
            if key is None:
                continue
            counted = count_hit("login", key, rate)
            hits.append(counted)
            if counted.over(rate):
                return too_many_requests(request, counted.retry_after)
        response = view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            for counted in hits:
                take_back(counted)
            return response
        tries_left = rate.count - max((counted.count for counted in hits), default=0)
        context = getattr(response, "context_data", None)
        if tries_left <= FEW_TRIES_LEFT and isinstance(context, dict):
            context["tries_left"] = tries_left
            context["pause_minutes"] = max(1, round(max(counted.retry_after for counted in hits) / 60))
        return response

    return wrapped
