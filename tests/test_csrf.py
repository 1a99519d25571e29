"""Every state-changing request from a signed-in browser needs the CSRF token.

The token, revocation and introspection endpoints are exempt by design: they
authenticate the client itself (secret or PKCE), never a cookie.
"""

import pytest
from django.test import Client
from django.urls import reverse

from oauth_apps.models import OAuthApplication

POSTS = [
    ("login", False, {"username": "alice", "password": "alice-password-1"}),
    ("logout", False, {}),
    ("oauth_apps:create", False, {"save": "1"}),
    ("oauth_apps:edit", True, {"save": "1"}),
    ("oauth_apps:enable", True, {}),
    ("oauth_apps:disable", True, {}),
    ("oauth_apps:reset_secret", True, {}),
    ("oauth_apps:delete", True, {}),
    ("oauth_apps:bulk", False, "bulk"),
    ("authserver:developer_tools", True, {"generate": "1"}),
    ("authserver:authorized_apps", False, "app"),
    ("oauth2_provider:authorize", False, "consent"),
    ("admin:oauth_apps_oauthapplication_changelist", False, "admin"),
]


@pytest.mark.parametrize(("name", "with_pk", "body"), POSTS, ids=[name for name, _, _ in POSTS])
def test_post_without_csrf_token_is_refused(user, staff_user, make_app, name, with_pk, body):
    app, _ = make_app(user)
    client = Client(enforce_csrf_checks=True)
    if name != "login":
        client.force_login(staff_user if name.startswith("admin:") else user)
    named = {
        "bulk": {"action": "delete", "ids": [app.pk]},
        "app": {"application": app.pk},
        "consent": {"client_id": app.client_id, "allow": "Allow"},
        "admin": {"action": "disable_apps", "_selected_action": [app.pk]},
    }
    data = named[body] if isinstance(body, str) else body
    response = client.post(reverse(name, args=[app.pk] if with_pk else []), data)
    assert response.status_code == 403
    app.refresh_from_db()
    assert (app.enabled, app.version) == (True, 1)
    assert OAuthApplication.objects.filter(pk=app.pk).exists()
