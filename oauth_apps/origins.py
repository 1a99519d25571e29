"""Keeps the origin index (`AllowedOrigin`) in step with the applications' allowed origins.

One function, called by every service that writes `allowed_origins` (registration,
edit) and by the seeding command; deleting an app deletes its rows (CASCADE), and
enabling or disabling one needs nothing here because the lookup joins `enabled`.
Each change makes this process forget its remembered CORS answers
(authserver/cors.py), as enabling, disabling and deleting do in services.py.
"""

from collections.abc import Iterable

from authserver.cors import forget_decisions

from .models import AllowedOrigin, OAuthApplication


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
