"""Error views: a database outage is a 503 the portal recovers from, not a 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def handler500(request, template_name="500.html"):
    """Answer 503 while the database cannot be reached; Django's 500 otherwise.

    Django keeps no broken connection past the request that found it broken, so
    the first request after the database is back succeeds without a restart.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return server_error(request, template_name)
