"""Which time zone a page is shown in: the person's choice, else their browser's, else the default.

The browser's zone reaches the server in the `tz` cookie that static/js/portal.js
sets from `Intl.DateTimeFormat().resolvedOptions().timeZone`; without JavaScript
there is no cookie and pages use settings.TIME_ZONE (UTC unless configured).
"""

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

COOKIE_NAME = "tz"
# The areas of the IANA database a person picks from; the others are legacy aliases
# ("US/Eastern", "Etc/GMT+5"), still accepted from a browser or a stored profile.
AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid(name: str) -> bool:
    return bool(name) and len(name) <= 64 and name in known_zones()


@cache
def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(area, [(zone, city label), …]), …] for a <select> with one group per area."""
    groups: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for name in sorted(known_zones()):
        area, _, place = name.partition("/")
        if area in groups and place:
            groups[area].append((name, place.replace("_", " ").replace("/", " / ")))
    return [("UTC", [("UTC", "UTC")])] + [(area, zones) for area, zones in groups.items() if zones]


def browser_zone(request) -> str:
    """The zone the browser reported, or "" when it reported none we know."""
    name = request.COOKIES.get(COOKIE_NAME, "")
    return name if is_valid(name) else ""


def chosen_zone(user) -> str:
    """The zone the person chose in their settings, or "" to follow the browser."""
    if not getattr(user, "is_authenticated", False):
        return ""
    try:
        name = user.profile.time_zone
    except ObjectDoesNotExist:
        return ""
    return name if is_valid(name) else ""


def zone_for(request) -> str:
    return chosen_zone(request.user) or browser_zone(request) or settings.TIME_ZONE
