"""Error views: a database outage is a 503 the portal recovers from, not a 500;
a refused form (CSRF) is explained, with a way back, instead of Django's debug page."""

import sys
from urllib.parse import urlencode

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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


# The forms that sign a person in: a stale one is refused because signing in
# (in another tab, say) gave the browser a new CSRF token.
SIGN_IN_URLS = ("login", "admin:login")


def _local_url(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a 403 that says what happened and offers a way back.

    Django's own page (with its DEBUG hints) is for developers; people get this one
    whatever DEBUG says. `reason` is logged by Django's CSRF middleware already.
    """
    sign_in_paths = {reverse(name) for name in SIGN_IN_URLS}
    is_sign_in = request.path in sign_in_paths
    next_url = _local_url(request, request.POST.get("next") or request.GET.get("next"))
    if is_sign_in:
        retry_url = request.path + (f"?{urlencode({'next': next_url})}" if next_url else "")
        context = {"sign_in": True, "retry_url": retry_url, "continue_url": next_url or "/"}
    else:
        back_url = _local_url(request, request.headers.get("Referer"))
        context = {"sign_in": False, "back_url": back_url}
    response = render(request, "403_csrf.html", context, status=403)
    response["Cache-Control"] = "no-store"
    return response
