"""WSGI entry point: `gunicorn docspace_portal.wsgi`.

gunicorn runs no system checks of its own, so this does, as runserver would:
a serious one (a malformed RATE_LIMIT_* value, say) stops the start with its
message instead of turning requests into 500s.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docspace_portal.settings")

application = get_wsgi_application()


def _refuse_serious_check_failures() -> None:
    from django.core import checks

    found = checks.run_checks(include_deployment_checks=False)
    serious = [message for message in found if message.is_serious()]
    if serious:
        raise ImproperlyConfigured("System check failed:\n" + "\n".join(str(message) for message in serious))


_refuse_serious_check_failures()
