"""The permission matrix: every view and method, for every kind of visitor.

anonymous · owner (an ordinary user who created the app) · other (another
ordinary user) · staff. Each cell states the exact status; another user's app
is a 404, never a 403, and nothing an outsider sends changes the app.
"""

import pytest
from django.test import Client
from django.urls import reverse

from oauth_apps.models import OAuthApplication

ROLES = ("anonymous", "owner", "other", "staff")
LOGIN = 302  # sent to the sign-in page


def cells(anonymous, owner, other, staff):
    return {"anonymous": anonymous, "owner": owner, "other": other, "staff": staff}


# (name, needs the app's pk, method, body, {role: status})
MATRIX = [
    ("home", False, "get", None, cells(302, 302, 302, 302)),
    ("healthz", False, "get", None, cells(200, 200, 200, 200)),
    ("login", False, "get", None, cells(200, 302, 302, 302)),
    (
        "login",
        False,
        "post",
        {"username": "x", "password": "y"},
        cells(200, 302, 302, 302),
    ),
    ("logout", False, "get", None, cells(405, 405, 405, 405)),
    ("logout", False, "post", {}, cells(302, 302, 302, 302)),
    ("oauth_apps:list", False, "get", None, cells(LOGIN, 200, 200, 200)),
    ("oauth_apps:list", False, "post", {}, cells(LOGIN, 405, 405, 405)),
    ("oauth_apps:create", False, "get", None, cells(LOGIN, 200, 200, 200)),
    (
        "oauth_apps:create",
        False,
        "post",
        {"save": "1"},
        cells(LOGIN, 400, 400, 400),
    ),
    ("oauth_apps:detail", True, "get", None, cells(LOGIN, 200, 404, 200)),
    ("oauth_apps:detail", True, "post", {}, cells(LOGIN, 405, 405, 405)),
    ("oauth_apps:credentials", True, "get", None, cells(LOGIN, 200, 404, 200)),
    ("oauth_apps:credentials", True, "post", {}, cells(LOGIN, 405, 405, 405)),
    ("oauth_apps:edit", True, "get", None, cells(LOGIN, 200, 404, 200)),
    ("oauth_apps:edit", True, "post", {"save": "1"}, cells(LOGIN, 400, 404, 400)),
    ("oauth_apps:enable", True, "get", None, cells(LOGIN, 405, 405, 405)),
    ("oauth_apps:enable", True, "post", {}, cells(LOGIN, 302, 404, 302)),
    ("oauth_apps:disable", True, "get", None, cells(LOGIN, 200, 404, 200)),
    ("oauth_apps:disable", True, "post", {}, cells(LOGIN, 302, 404, 302)),
    ("oauth_apps:reset_secret", True, "get", None, cells(LOGIN, 200, 404, 200)),
    ("oauth_apps:reset_secret", True, "post", {}, cells(LOGIN, 302, 404, 302)),
    ("oauth_apps:delete", True, "get", None, cells(LOGIN, 200, 404, 200)),
    ("oauth_apps:delete", True, "post", {}, cells(LOGIN, 302, 404, 302)),
    # Bulk actions answer "select at least one" (a redirect) when no visible app is selected.
    ("oauth_apps:bulk", False, "get", "ids", cells(LOGIN, 200, 302, 200)),
    ("oauth_apps:bulk", False, "post", "ids", cells(LOGIN, 302, 302, 302)),
    ("oauth_apps:pending_icon", "sha", "get", None, cells(LOGIN, 404, 404, 404)),
    # Icons are public: consent screens show them to people who are not signed in.
    ("oauth_apps:icon", "icon", "get", None, cells(200, 200, 200, 200)),
    ("authserver:developer_tools", True, "get", None, cells(LOGIN, 200, 404, 200)),
    (
        "authserver:developer_tools",
        True,
        "post",
        {"generate": "1"},
        cells(LOGIN, 200, 404, 200),
    ),
    (
        "authserver:authorized_apps",
        False,
        "get",
        None,
        cells(LOGIN, 200, 200, 200),
    ),
    (
        "authserver:authorized_apps",
        False,
        "post",
        "app",
        cells(LOGIN, 302, 302, 302),
    ),
    # The OAuth endpoints authenticate clients and tokens, not portal sessions.
    (
        "oauth2_provider:token",
        False,
        "post",
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "https://app.example.com/callback"},
        cells(401, 401, 401, 401),
    ),
    (
        "oauth2_provider:revoke-token",
        False,
        "post",
        {"token": "x"},
        cells(401, 401, 401, 401),
    ),
    ("oauth2_provider:introspect", False, "post", {}, cells(401, 401, 401, 401)),
    ("oauth2_provider:user-info", False, "get", None, cells(401, 401, 401, 401)),
    ("oauth2_provider:jwks-info", False, "get", None, cells(200, 200, 200, 200)),
    (
        "oauth2_provider:oidc-connect-discovery-info",
        False,
        "get",
        None,
        cells(200, 200, 200, 200),
    ),
    (
        "oauth2_provider:oauth-server-metadata",
        False,
        "get",
        None,
        cells(200, 200, 200, 200),
    ),
    ("api:self", False, "get", None, cells(401, 401, 401, 401)),
    ("api:people", False, "get", None, cells(401, 401, 401, 401)),
    ("admin:index", False, "get", None, cells(302, 302, 302, 200)),
    # The management API never reads the session: a signed-in browser is not a caller.
    ("clients_api:clients", False, "get", None, cells(401, 401, 401, 401)),
    ("clients_api:clients", False, "post", {}, cells(401, 401, 401, 401)),
    ("clients_api:client", True, "get", None, cells(401, 401, 401, 401)),
    ("clients_api:disable", True, "post", {}, cells(401, 401, 401, 401)),
    ("clients_api:reset_secret", True, "post", {}, cells(401, 401, 401, 401)),
    ("clients_api:bulk", False, "post", "ids", cells(401, 401, 401, 401)),
    ("clients_api:openapi", False, "get", None, cells(200, 200, 200, 200)),
    ("clients_api:reference", False, "get", None, cells(200, 200, 200, 200)),
    ("api_tokens:list", False, "get", None, cells(LOGIN, 200, 200, 200)),
    ("api_tokens:list", False, "post", {"create": "1"}, cells(LOGIN, 400, 400, 400)),
]

CELLS = [
    pytest.param(name, pk, method, body, role, expected[role], id=f"{name}-{method}-{role}")
    for name, pk, method, body, expected in MATRIX
    for role in ROLES
]


@pytest.fixture
def people(user, other_user, staff_user):
    return {"anonymous": None, "owner": user, "other": other_user, "staff": staff_user}


@pytest.mark.parametrize(("name", "pk", "method", "body", "role", "expected"), CELLS)
def test_permission_matrix(people, make_app, name, pk, method, body, role, expected):
    app, _ = make_app(people["owner"])
    client = Client(raise_request_exception=False)
    if people[role] is not None:
        client.force_login(people[role])
    args = {True: [app.pk], "sha": ["f" * 64], "icon": [app.icon_id]}.get(pk, [])
    url = reverse(name, args=args)
    if body == "ids":
        data = {"action": "disable", "ids": [app.pk]}
    elif body == "app":
        data = {"application": app.pk}
    else:
        data = body
    response = client.get(url, data) if method == "get" else client.post(url, data or {})
    assert response.status_code == expected
    if role in ("anonymous", "other"):
        fresh = OAuthApplication.objects.filter(pk=app.pk).first()
        assert fresh is not None
        assert (fresh.version, fresh.enabled, fresh.client_secret) == (app.version, True, app.client_secret)


# --- the management API, called with each role's own read/write token ---------------

# (operation name, needs the app's pk, method, JSON body, {role: status}); "anonymous" sends no token.
API_MATRIX = [
    ("clients_api:clients", False, "get", None, cells(401, 200, 200, 200)),
    ("clients_api:clients", False, "post", {}, cells(401, 400, 400, 400)),
    ("clients_api:client", True, "get", None, cells(401, 200, 404, 200)),
    ("clients_api:client", True, "patch", {"description": "x"}, cells(401, 200, 404, 200)),
    ("clients_api:client", True, "put", {}, cells(401, 400, 404, 400)),
    ("clients_api:client", True, "delete", None, cells(401, 204, 404, 204)),
    ("clients_api:enable", True, "post", None, cells(401, 200, 404, 200)),
    ("clients_api:disable", True, "post", None, cells(401, 200, 404, 200)),
    ("clients_api:reset_secret", True, "post", None, cells(401, 200, 404, 200)),
    ("clients_api:audit", True, "get", None, cells(401, 200, 404, 200)),
    # Bulk acts on the visible ids and reports the rest as not found.
    ("clients_api:bulk", False, "post", "ids", cells(401, 200, 200, 200)),
]

API_CELLS = [
    pytest.param(name, pk, method, body, role, expected[role], id=f"{name}-{method}-{role}")
    for name, pk, method, body, expected in API_MATRIX
    for role in ROLES
]


@pytest.mark.parametrize(("name", "pk", "method", "body", "role", "expected"), API_CELLS)
def test_api_permission_matrix(people, make_app, api_token, name, pk, method, body, role, expected):
    import json

    app, _ = make_app(people["owner"])
    client = Client(raise_request_exception=False)
    headers = {"If-Match": f'"{app.version}"'}
    if people[role] is not None:
        headers["Authorization"] = f"Bearer {api_token(people[role])}"
    url = reverse(name, args=[app.pk] if pk else [])
    if body == "ids":
        body = {"action": "disable", "ids": [app.pk]}
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == expected
    if role in ("anonymous", "other"):
        fresh = OAuthApplication.objects.filter(pk=app.pk).first()
        assert fresh is not None
        assert (fresh.version, fresh.enabled, fresh.client_secret) == (app.version, True, app.client_secret)
