"""Rate limits shared by every worker through the configured cache.

A fixed window per (limit, key): the first hit creates the counter with the
window as its lifetime, later hits increment it atomically (Redis INCR or the
local-memory cache's lock). Over the limit the request gets a 429 page with
Retry-After, and nothing behind the limit runs.
"""

import re
import time
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


def by_posted_username(request) -> str | None:
    username = (request.POST.get("username") or "").strip().lower()
    return f"username:{username[:150]}" if username else None


def hit(name: str, key: str, rate: Rate) -> int | None:
    """Count one hit; return seconds to wait when over the limit, else None."""
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
    if count > rate.count:
        return max(1, (window + 1) * rate.seconds - now)
    return None


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
