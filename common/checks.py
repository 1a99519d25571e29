"""System checks for the portal's own settings, run by `manage.py check`, runserver, migrate and wsgi.py.

A malformed rate (RATE_LIMIT_LOGIN=10/5x) would otherwise pass every check and
make each sign-in a 500; here it stops the start and names the variable.
"""

import logging

from django.conf import settings
from django.core import checks

from .ratelimit import Rate

logger = logging.getLogger("docspace_portal.startup")


@checks.register("portal")
def rate_limits_are_well_formed(app_configs=None, **kwargs):
    errors = []
    for name, text in sorted(settings.RATE_LIMITS.items()):
        variable = f"RATE_LIMIT_{name.upper()}"
        try:
            Rate.parse(text)
        except (TypeError, ValueError):
            errors.append(
                checks.Error(
                    f"{variable}={text!r} is not a rate.",
                    hint="Write COUNT/[N]UNIT with unit s, m, h or d, e.g. 10/5m or 60/h (see .env.example).",
                    obj=variable,
                    id="portal.E001",
                )
            )
    return errors


@checks.register("portal")
def rate_limits_are_shared(app_configs=None, **kwargs):
    """Production counts in a cache every worker shares (settings refuses to start otherwise)."""
    if getattr(settings, "PRODUCTION", False) and (
        settings.CACHES["default"]["BACKEND"] in settings.PER_PROCESS_CACHES
    ):
        return [
            checks.Error(
                "The default cache is kept per process, so each worker would count rate limits alone.",
                hint="Set CACHE_URL=redis://… or leave it unset for the database cache.",
                id="portal.E002",
            )
        ]
    return []


def describe_start_up() -> None:
    """Say, once per process, where rate limits are counted and which issuer tokens carry."""
    if not getattr(settings, "PRODUCTION", False):
        return
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    where = settings.CACHES["default"].get("LOCATION", "")
    logger.info(
        "Rate limits and waiting client secrets are kept in the shared cache %s (%s); issuer %s.",
        backend,
        where if backend == "DatabaseCache" else "CACHE_URL",
        settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT"),
    )
