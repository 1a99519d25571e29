"""The permission matrix: every view and method, for every kind of visitor.

anonymous · owner (an ordinary user who created the app) · other (another
ordinary user) · staff (is_staff and no permission: a master key no more) ·
viewer (staff with view + view_all_applications) · editor (staff with
change) · resetter (staff with reset_secret) · deleter (staff with delete) ·
reviewer (staff with review, the approval queue) · superuser · maintainer (an
ordinary user the owner made a co-maintainer) · recipient (an ordinary user the
app is offered to, not yet accepted).

Every cell starts from the same app: owned by `owner`, co-maintained by
`maintainer`, offered to `recipient`. Each cell states the exact status; an app
the visitor may not act on is a 404, never a 403, and nothing a visitor without
the power sends changes the app, its owner, its co-maintainers or its offer.
The rules are in oauth_apps/access.py. Rotating a secret and ending a rotation
are the owner's and co-maintainers' alone, whatever a staff member holds (the
superuser included); for the end-rotation rows the app is mid-rotation.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from oauth_apps import ownership, services
from oauth_apps.models import Maintainer, OAuthApplication, OwnershipOffer, ReviewState

from .conftest import grant

ROLES = (
    "anonymous",
    "owner",
    "other",
    "staff",
    "viewer",
    "editor",
    "resetter",
    "deleter",
    "reviewer",
    "superuser",
    "maintainer",
    "recipient",
)
# Ordinary users with a part in the app; elsewhere they answer like `other`.
ORDINARY = ("maintainer", "recipient")
LOGIN = 302  # sent to the sign-in page
# What each role may do to the owner's app beyond looking at it.
POWERS = {
    "owner": {"change", "reset", "delete", "rotate", "end", "people", "remove", "transfer"},
    "maintainer": {"change", "reset", "rotate", "end", "remove"},
    "recipient": {"answer"},
    "editor": {"change"},
    "resetter": {"reset"},
    "deleter": {"delete"},
    "reviewer": {"review"},
    "superuser": {"change", "reset", "delete", "review"},
}


def cells(anonymous, owner, other, staff, **by_role):
    """Staff roles not named answer like `staff` (signed in, no power); the ORDINARY ones like `other`."""
    answers = {"anonymous": anonymous, "owner": owner, "other": other, "staff": staff}
    return answers | {role: by_role.get(role, other if role in ORDINARY else staff) for role in ROLES[4:]}


def allowed(granted, denied=404, **extra):
    """`granted` for the owner and the roles named True in `extra`, `denied` for other signed-in roles."""
    return {role: (granted if role == "owner" or extra.get(role) else denied) for role in ROLES[1:]}


VIEWERS = {"viewer": True, "editor": True, "superuser": True, "maintainer": True}
EDITORS = {"editor": True, "superuser": True, "maintainer": True}
RESETTERS = {"resetter": True, "superuser": True, "maintainer": True}
# Rotating: the owner and co-maintainers only, whatever staff hold.
ROTATORS = {"maintainer": True}
DELETERS = {"deleter": True, "superuser": True}
OWNER_ONLY = {}
RECIPIENT_ONLY = {"owner": False, "recipient": True}


def app_cells(granted, who, denied=404):
    return {"anonymous": LOGIN} | allowed(granted, denied, **who)


def reviewer_cells(granted):
    """The review queue: a staff power only (not even the owner), a 404 to everyone else."""
    return {"anonymous": LOGIN} | {
        role: (granted if role in ("reviewer", "superuser") else 404) for role in ROLES[1:]
    }


def recipient_cells(granted):
    """Only the recipient finds the offer (everyone else, the owner included: 404)."""
    return {"anonymous": LOGIN} | {role: granted if role == "recipient" else 404 for role in ROLES[1:]}


# (name, needs the app's pk, method, body, {role: status}, the power the request uses or None)
MATRIX = [
    ("home", False, "get", None, cells(302, 302, 302, 302), None),
    ("healthz", False, "get", None, cells(200, 200, 200, 200), None),
    ("login", False, "get", None, cells(200, 302, 302, 302), None),
    ("login", False, "post", {"username": "x", "password": "y"}, cells(200, 302, 302, 302), None),
    ("logout", False, "get", None, cells(405, 405, 405, 405), None),
    ("logout", False, "post", {}, cells(302, 302, 302, 302), None),
    ("oauth_apps:list", False, "get", None, cells(LOGIN, 200, 200, 200), None),
    ("oauth_apps:list", False, "post", {}, cells(LOGIN, 405, 405, 405), None),
    ("oauth_apps:create", False, "get", None, cells(LOGIN, 200, 200, 200), None),
    ("oauth_apps:create", False, "post", {"save": "1"}, cells(LOGIN, 400, 400, 400), None),
    ("oauth_apps:detail", True, "get", None, app_cells(200, VIEWERS), None),
    ("oauth_apps:detail", True, "post", {}, cells(LOGIN, 405, 405, 405), None),
    ("oauth_apps:credentials", True, "get", None, app_cells(200, VIEWERS), None),
    ("oauth_apps:credentials", True, "post", {}, cells(LOGIN, 405, 405, 405), None),
    ("oauth_apps:edit", True, "get", None, app_cells(200, EDITORS), None),
    ("oauth_apps:edit", True, "post", {"save": "1"}, app_cells(400, EDITORS), "change"),
    ("oauth_apps:enable", True, "get", None, cells(LOGIN, 405, 405, 405), None),
    ("oauth_apps:enable", True, "post", {}, app_cells(302, EDITORS), "change"),
    ("oauth_apps:disable", True, "get", None, app_cells(200, EDITORS), None),
    ("oauth_apps:disable", True, "post", {}, app_cells(302, EDITORS), "change"),
    ("oauth_apps:reset_secret", True, "get", None, app_cells(200, RESETTERS), None),
    ("oauth_apps:reset_secret", True, "post", {}, app_cells(302, RESETTERS), "reset"),
    ("oauth_apps:rotate_secret", True, "get", None, app_cells(200, ROTATORS), None),
    ("oauth_apps:rotate_secret", True, "post", {"grace": "3600"}, app_cells(302, ROTATORS), "rotate"),
    ("oauth_apps:end_rotation", True, "get", None, app_cells(200, ROTATORS), None),
    ("oauth_apps:end_rotation", True, "post", {}, app_cells(302, ROTATORS), "end"),
    ("oauth_apps:delete", True, "get", None, app_cells(200, DELETERS), None),
    ("oauth_apps:delete", True, "post", {}, app_cells(302, DELETERS), "delete"),
    # Bulk actions answer "select at least one" (a redirect) when no app the visitor may act on is selected.
    ("oauth_apps:bulk", False, "get", "ids", app_cells(200, EDITORS, denied=302), None),
    ("oauth_apps:bulk", False, "post", "ids", cells(LOGIN, 302, 302, 302), "change"),
    ("oauth_apps:pending_icon", "sha", "get", None, cells(LOGIN, 404, 404, 404), None),
    # The review queue acts on an app waiting for review (the matrix makes it pending for these rows).
    ("oauth_apps:review_queue", False, "get", None, reviewer_cells(200), None),
    ("oauth_apps:review_queue", False, "post", {}, reviewer_cells(405), None),
    ("oauth_apps:review_decide", True, "get", None, reviewer_cells(405), None),
    ("oauth_apps:review_decide", True, "post", {"decision": "approve"}, reviewer_cells(302), "review"),
    (
        "oauth_apps:review_decide",
        True,
        "post",
        {"decision": "reject", "note": "No"},
        reviewer_cells(302),
        "review",
    ),
    # Icons are public: consent screens show them to people who are not signed in.
    ("oauth_apps:icon", "icon", "get", None, cells(200, 200, 200, 200), None),
    # An app's people: co-maintainers may look; only the owner (not a superuser) adds, removes, transfers.
    ("oauth_apps:people", True, "get", None, app_cells(200, VIEWERS), None),
    ("oauth_apps:people", True, "post", {}, cells(LOGIN, 405, 405, 405), None),
    ("oauth_apps:add_maintainer", True, "get", None, cells(LOGIN, 405, 405, 405), None),
    (
        "oauth_apps:add_maintainer",
        True,
        "post",
        {"maintainer-person": "bob"},
        app_cells(302, OWNER_ONLY),
        "people",
    ),
    # Removing the co-maintainer: the owner may, and the co-maintainer may leave.
    ("oauth_apps:remove_maintainer", "maintainer", "get", None, app_cells(200, {"maintainer": True}), None),
    (
        "oauth_apps:remove_maintainer",
        "maintainer",
        "post",
        {},
        app_cells(302, {"maintainer": True}),
        "remove",
    ),
    # The app is already offered to the recipient: a second offer is refused next to the field.
    ("oauth_apps:transfer", True, "post", {"transfer-person": "bob"}, app_cells(400, OWNER_ONLY), "transfer"),
    ("oauth_apps:transfer", True, "get", None, cells(LOGIN, 405, 405, 405), None),
    ("oauth_apps:cancel_transfer", True, "post", {}, app_cells(302, OWNER_ONLY), "transfer"),
    ("oauth_apps:offers", False, "get", None, cells(LOGIN, 200, 200, 200), None),
    ("oauth_apps:offer", "offer", "get", None, recipient_cells(200), None),
    ("oauth_apps:offer", "offer", "post", {"accept": "1"}, recipient_cells(302), "answer"),
    ("authserver:developer_tools", True, "get", None, app_cells(200, EDITORS), None),
    ("authserver:developer_tools", True, "post", {"generate": "1"}, app_cells(200, EDITORS), None),
    ("authserver:authorized_apps", False, "get", None, cells(LOGIN, 200, 200, 200), None),
    ("authserver:authorized_apps", False, "post", "app", cells(LOGIN, 302, 302, 302), None),
    # The OAuth endpoints authenticate clients and tokens, not portal sessions.
    (
        "oauth2_provider:token",
        False,
        "post",
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "https://app.example.com/callback"},
        cells(401, 401, 401, 401),
        None,
    ),
    ("oauth2_provider:revoke-token", False, "post", {"token": "x"}, cells(401, 401, 401, 401), None),
    ("oauth2_provider:introspect", False, "post", {}, cells(401, 401, 401, 401), None),
    ("oauth2_provider:user-info", False, "get", None, cells(401, 401, 401, 401), None),
    ("oauth2_provider:jwks-info", False, "get", None, cells(200, 200, 200, 200), None),
    ("oauth2_provider:oidc-connect-discovery-info", False, "get", None, cells(200, 200, 200, 200), None),
    ("oauth2_provider:oauth-server-metadata", False, "get", None, cells(200, 200, 200, 200), None),
    ("api:self", False, "get", None, cells(401, 401, 401, 401), None),
    ("api:people", False, "get", None, cells(401, 401, 401, 401), None),
    ("admin:index", False, "get", None, cells(302, 302, 302, 200), None),
    # The management API never reads the session: a signed-in browser is not a caller.
    ("clients_api:clients", False, "get", None, cells(401, 401, 401, 401), None),
    ("clients_api:clients", False, "post", {}, cells(401, 401, 401, 401), None),
    ("clients_api:client", True, "get", None, cells(401, 401, 401, 401), None),
    ("clients_api:disable", True, "post", {}, cells(401, 401, 401, 401), None),
    ("clients_api:reset_secret", True, "post", {}, cells(401, 401, 401, 401), None),
    ("clients_api:rotate_secret", True, "post", {}, cells(401, 401, 401, 401), None),
    ("clients_api:end_rotation", True, "post", {}, cells(401, 401, 401, 401), None),
    ("clients_api:bulk", False, "post", "ids", cells(401, 401, 401, 401), None),
    ("clients_api:openapi", False, "get", None, cells(200, 200, 200, 200), None),
    ("clients_api:reference", False, "get", None, cells(200, 200, 200, 200), None),
    ("api_tokens:list", False, "get", None, cells(LOGIN, 200, 200, 200), None),
    ("api_tokens:list", False, "post", {"create": "1"}, cells(LOGIN, 400, 400, 400), None),
]

CELLS = [
    pytest.param(name, pk, method, body, role, expected[role], power, id=f"{name}-{method}-{role}")
    for name, pk, method, body, expected, power in MATRIX
    for role in ROLES
]

STAFF_PERMISSIONS = {
    "staff": (),
    "viewer": ("view_oauthapplication", "view_all_applications"),
    "editor": ("change_oauthapplication",),
    "resetter": ("reset_secret_oauthapplication",),
    "deleter": ("delete_oauthapplication",),
    "reviewer": ("review_oauthapplication",),
}


def app_for(name, make_app, owner) -> tuple[OAuthApplication, dict]:
    """The owner's app and its people; mid-rotation for end-rotation rows, pending for review rows."""
    app, people = app_with_people(make_app, owner)
    if name.endswith("end_rotation"):
        services.rotate_secret(app, actor=owner)
        app.refresh_from_db()
    if name.startswith("oauth_apps:review"):
        OAuthApplication.objects.filter(pk=app.pk).update(review_state=ReviewState.PENDING)
        app.refresh_from_db()
    return app, people


def visitor(role, owner, other, people=None):
    """The user for `role`, made only when the cell needs it (`people`: maintainer and recipient)."""
    if role in ("anonymous", "owner", "other"):
        return {"anonymous": None, "owner": owner, "other": other}[role]
    if role in ORDINARY:
        return people[role]
    users = get_user_model()
    if role == "superuser":
        return users.objects.create_superuser("root", "root@example.com", "root-password-1")
    member = users.objects.create_user(role, f"{role}@example.com", f"{role}-password-1", is_staff=True)
    return grant(member, *STAFF_PERMISSIONS[role])


def app_with_people(make_app, owner) -> tuple[OAuthApplication, dict]:
    """An app of `owner` with a co-maintainer and an open offer to another user."""
    users = get_user_model()
    app, _ = make_app(owner)
    people = {
        "maintainer": users.objects.create_user("dave", "dave@example.com", "dave-password-1"),
        "recipient": users.objects.create_user("erin", "erin@example.com", "erin-password-1"),
    }
    ownership.add_maintainer(app, people["maintainer"], actor=owner)
    ownership.offer_app(app, people["recipient"], actor=owner)
    app.refresh_from_db()
    return app, people


def who_runs(app) -> tuple:
    """The app's owner, co-maintainers and open offer, to show a refused request changed none of them."""
    maintainers = sorted(Maintainer.objects.filter(application_id=app.pk).values_list("user_id", flat=True))
    offers = list(OwnershipOffer.objects.filter(application_id=app.pk).values_list("to_user_id", flat=True))
    owner = OAuthApplication.objects.filter(pk=app.pk).values_list("user_id", flat=True).first()
    return owner, maintainers, offers


@pytest.mark.parametrize(("name", "pk", "method", "body", "role", "expected", "power"), CELLS)
def test_permission_matrix(user, other_user, make_app, name, pk, method, body, role, expected, power):
    app, people = app_for(name, make_app, user)
    before = who_runs(app)
    client = Client(raise_request_exception=False)
    person = visitor(role, user, other_user, people)
    if person is not None:
        client.force_login(person)
    offer = OwnershipOffer.objects.get(application=app)
    args = {
        True: [app.pk],
        "sha": ["f" * 64],
        "icon": [app.icon_id],
        "maintainer": [app.pk, people["maintainer"].pk],
        "offer": [offer.pk],
    }.get(pk, [])
    url = reverse(name, args=args)
    if body == "ids":
        data = {"action": "disable", "ids": [app.pk]}
    elif body == "app":
        data = {"application": app.pk}
    else:
        data = body
    response = client.get(url, data) if method == "get" else client.post(url, data or {})
    assert response.status_code == expected
    if power not in POWERS.get(role, set()):
        fresh = OAuthApplication.objects.filter(pk=app.pk).first()
        assert fresh is not None
        assert (fresh.version, fresh.enabled, fresh.client_secret, fresh.review_state) == (
            app.version,
            True,
            app.client_secret,
            app.review_state,
        )
        assert who_runs(app) == before


# --- the management API, called with each role's own read/write token ---------------


def api_cells(granted, who, denied=404):
    """As app_cells, for the API: no token is a 401 (there is no sign-in page to send a script to)."""
    return {"anonymous": 401} | allowed(granted, denied, **who)


EVERYONE = dict.fromkeys(ROLES[1:], True)

# (URL name, needs the app's pk, method, JSON body, {role: status}, the power it uses or None)
API_MATRIX = [
    ("clients_api:clients", False, "get", None, api_cells(200, EVERYONE), None),
    ("clients_api:clients", False, "post", {}, api_cells(400, EVERYONE), None),
    ("clients_api:client", True, "get", None, api_cells(200, VIEWERS), None),
    ("clients_api:client", True, "patch", {"description": "x"}, api_cells(200, EDITORS), "change"),
    ("clients_api:client", True, "put", {}, api_cells(400, EDITORS), "change"),
    ("clients_api:client", True, "delete", None, api_cells(204, DELETERS), "delete"),
    ("clients_api:enable", True, "post", None, api_cells(200, EDITORS), "change"),
    ("clients_api:disable", True, "post", None, api_cells(200, EDITORS), "change"),
    ("clients_api:reset_secret", True, "post", None, api_cells(200, RESETTERS), "reset"),
    (
        "clients_api:rotate_secret",
        True,
        "post",
        {"grace_seconds": 3600},
        api_cells(200, ROTATORS),
        "rotate",
    ),
    ("clients_api:end_rotation", True, "post", None, api_cells(200, ROTATORS), "end"),
    ("clients_api:audit", True, "get", None, api_cells(200, VIEWERS), None),
    # Bulk acts on the ids the caller may act on and reports the rest as not found.
    ("clients_api:bulk", False, "post", "ids", api_cells(200, EVERYONE), "change"),
]

API_CELLS = [
    pytest.param(name, pk, method, body, role, expected[role], power, id=f"api-{name}-{method}-{role}")
    for name, pk, method, body, expected, power in API_MATRIX
    for role in ROLES
]


@pytest.mark.parametrize(("name", "pk", "method", "body", "role", "expected", "power"), API_CELLS)
def test_api_permission_matrix(
    user, other_user, make_app, api_token, name, pk, method, body, role, expected, power
):
    import json

    app, people = app_for(name, make_app, user)
    before = who_runs(app)
    client = Client(raise_request_exception=False)
    person = visitor(role, user, other_user, people)
    headers = {"If-Match": f'"{app.version}"'}
    if person is not None:
        headers["Authorization"] = f"Bearer {api_token(person)}"
    url = reverse(name, args=[app.pk] if pk else [])
    if body == "ids":
        body = {"action": "disable", "ids": [app.pk]}
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == expected
    if power not in POWERS.get(role, set()):
        fresh = OAuthApplication.objects.filter(pk=app.pk).first()
        assert fresh is not None
        assert (fresh.version, fresh.enabled, fresh.client_secret) == (app.version, True, app.client_secret)
        assert who_runs(app) == before


# --- where permissions come from (accounts/backends.py reads them in one query) -------------


@pytest.mark.django_db
def test_permissions_come_from_the_user_and_their_groups_in_one_query(django_assert_num_queries):
    from django.contrib.auth.models import Group, Permission

    def permission(codename):
        return Permission.objects.get(content_type__app_label="oauth_apps", codename=codename)

    staff = get_user_model().objects.create_user("grouped", password="x-password-1", is_staff=True)
    staff.user_permissions.add(permission("view_all_applications"))
    editors = Group.objects.create(name="editors")
    editors.permissions.add(permission("change_oauthapplication"))
    staff.groups.add(editors)
    Group.objects.create(name="deleters").permissions.add(permission("delete_oauthapplication"))
    staff = get_user_model().objects.get(pk=staff.pk)
    with django_assert_num_queries(1):
        held = staff.get_all_permissions()
        assert staff.has_perm("oauth_apps.view_all_applications")
        assert staff.has_perm("oauth_apps.change_oauthapplication")
        assert not staff.has_perm("oauth_apps.delete_oauthapplication")
    assert held == {"oauth_apps.view_all_applications", "oauth_apps.change_oauthapplication"}


@pytest.mark.django_db
def test_an_inactive_user_holds_no_permission():
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("gone", password="x-password-1", is_staff=True)
    user.is_active = False
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_all_applications"))
    assert get_user_model().objects.get(pk=user.pk).get_all_permissions() == set()
