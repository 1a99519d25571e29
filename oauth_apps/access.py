"""Who may do what to which application, and ids from forms that never reach the database malformed.

The one place the rule lives; the portal's pages (oauth_apps and authserver)
and the management API (clients_api) ask here, never `is_staff` on their own.

Three kinds of people act on an app:

- its **owner** (`OAuthApplication.user`);
- its **co-maintainers** (`Maintainer` rows), added by the owner;
- active **staff** holding the Django permission for the action (a superuser
  holds them all).

| action | owner | co-maintainer | staff, by permission |
|---|---|---|---|
| open the app (info, history, people, tools) | yes | yes | `view_oauthapplication` or change |
| find the app in the portal's list | yes | yes | `view_all_applications` |
| edit, enable, disable, use developer tools | yes | yes | `change_oauthapplication` |
| reset the client secret | yes | yes | `reset_secret_oauthapplication` |
| rotate the secret, end a rotation early | yes | yes | no |
| delete | yes | no | `delete_oauthapplication` |
| add and remove co-maintainers | yes | only leave | no |
| offer the app to another user, cancel it | yes | no | no |
| mark as resource server (introspects all) | no | no | `mark_resource_server` |
| approve or reject apps waiting for review | no | no | `review_oauthapplication` |
| block a metadata-document URL or host (client_metadata/) | no | no | `client_metadata.add_blockedclient` |
| lift such a block | no | no | `client_metadata.delete_blockedclient` |

(Permissions are `oauth_apps.…` unless named in full.) An action no permission grants (the "no" in the
staff column) is never done to another person's app, superusers included.

Rotating keeps the old secret working so the app's instances can move to the new
one, which only works if whoever rotates is shown the new secret; staff never are,
so a staff member "rotating" would leave nobody knowing it: staff reset instead
(which tells the owner). Reviewing is a staff power only: nobody approves their
own app, and the review queue is a 404 to everyone else.

Who sees a client secret: the person who made it, on the one page view right
after, when they are the owner or a co-maintainer (both run the app); staff
never do. A transfer reveals no secret. Only an offer's recipient finds it
(`pending_offers_for`), so only they accept or decline it.

Initial access tokens for dynamic client registration are staff's alone too:
`may_manage_initial_access_tokens` (`dynamic_registration.add_initialaccesstoken`).

An app the user may not act on is looked up as if it did not exist (404), so
pages never tell another user's app from a missing one.

Beyond applications: the initial access tokens that let a party register clients
itself while the portal policy requires one (dynamic_registration/) are made,
seen and revoked by active staff holding
`dynamic_registration.add_initialaccesstoken` (`may_manage_initial_access_tokens`).
"""

from enum import StrEnum

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Maintainer, OAuthApplication, OwnershipOffer

MAX_PK = 2**63 - 1  # the largest id the database can hold


class Action(StrEnum):
    VIEW = "view"
    LIST = "list"
    CHANGE = "change"
    DELETE = "delete"
    RESET_SECRET = "reset_secret"  # noqa: S105 -- an action's name, not a secret
    ROTATE_SECRET = "rotate_secret"  # noqa: S105 -- an action's name, not a secret
    MARK_RESOURCE_SERVER = "mark_resource_server"
    REVIEW = "review"
    MANAGE_MAINTAINERS = "manage_maintainers"
    TRANSFER = "transfer"
    BLOCK_CLIENT = "block_client"
    UNBLOCK_CLIENT = "unblock_client"


class Role(StrEnum):
    OWNER = "owner"
    MAINTAINER = "maintainer"


# What a co-maintainer may do (everything else is the owner's, or staff's by permission).
MAINTAINER_ACTIONS = frozenset(
    {Action.VIEW, Action.LIST, Action.CHANGE, Action.RESET_SECRET, Action.ROTATE_SECRET}
)
# Only the owner, whatever anyone's permissions: the app's people are the owner's to choose.
OWNER_ONLY_ACTIONS = frozenset({Action.MANAGE_MAINTAINERS, Action.TRANSFER})
# Only staff by permission: owners may not vouch for their own app.
STAFF_ONLY_ACTIONS = frozenset(
    {Action.MARK_RESOURCE_SERVER, Action.REVIEW, Action.BLOCK_CLIENT, Action.UNBLOCK_CLIENT}
)

# Any one of these permissions lets a staff member do the action to another user's app.
PERMISSIONS = {
    Action.VIEW: ("oauth_apps.view_oauthapplication", "oauth_apps.change_oauthapplication"),
    Action.LIST: ("oauth_apps.view_all_applications",),
    Action.CHANGE: ("oauth_apps.change_oauthapplication",),
    Action.DELETE: ("oauth_apps.delete_oauthapplication",),
    Action.RESET_SECRET: ("oauth_apps.reset_secret_oauthapplication",),
    Action.MARK_RESOURCE_SERVER: ("oauth_apps.mark_resource_server",),
    Action.REVIEW: ("oauth_apps.review_oauthapplication",),
    # No permission grants these: never done to another person's app (see above).
    Action.ROTATE_SECRET: (),
    Action.MANAGE_MAINTAINERS: (),
    Action.TRANSFER: (),
    Action.BLOCK_CLIENT: ("client_metadata.add_blockedclient",),
    Action.UNBLOCK_CLIENT: ("client_metadata.delete_blockedclient",),
}


def parse_pk(value) -> int | None:
    """An application id from a form field, or None; never a value the database would choke on."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    pk = int(value)
    return pk if 0 < pk <= MAX_PK else None


def _staff_holds(user, permissions) -> bool:
    """Is `user` an active superuser, or active staff holding one of `permissions` (none: nobody)?"""
    if user is None or not user.is_authenticated or not user.is_active or not permissions:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and any(user.has_perm(permission) for permission in permissions)


def may_act_on_others(user, action: Action) -> bool:
    """May `user` do `action` to applications that are not theirs?"""
    return _staff_holds(user, PERMISSIONS[action])


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


INITIAL_ACCESS_TOKEN_PERMISSION = "dynamic_registration.add_initialaccesstoken"  # noqa: S105 -- a permission


def may_manage_initial_access_tokens(user) -> bool:
    """May `user` make, see and revoke initial access tokens for dynamic client registration?"""
    return _staff_holds(user, (INITIAL_ACCESS_TOKEN_PERMISSION,))


def is_owner(user, app: OAuthApplication) -> bool:
    return _signed_in(user) and app.user_id == user.pk


def is_maintainer(user, app: OAuthApplication) -> bool:
    """Is `user` a co-maintainer of `app`? Read once per app instance and user."""
    if not _signed_in(user) or app.pk is None:
        return False
    known = app.__dict__.setdefault("_maintainer_of", {})
    if user.pk not in known:
        # The list annotates its rows with this (see applications_for), sparing the query.
        annotated = app.__dict__.get("co_maintained")
        if annotated is not None:
            known[user.pk] = bool(annotated)
        else:
            known[user.pk] = Maintainer.objects.filter(application_id=app.pk, user_id=user.pk).exists()
    return known[user.pk]


def role(user, app: OAuthApplication) -> Role | None:
    """`user`'s own part in `app` (owner or co-maintainer), or None (staff act by permission, not role)."""
    if is_owner(user, app):
        return Role.OWNER
    if is_maintainer(user, app):
        return Role.MAINTAINER
    return None


def may(user, action: Action, app: OAuthApplication) -> bool:
    if action in STAFF_ONLY_ACTIONS:
        return may_act_on_others(user, action)
    if action in OWNER_ONLY_ACTIONS:
        return is_owner(user, app)
    if is_owner(user, app) or may_act_on_others(user, action):
        return True
    return action in MAINTAINER_ACTIONS and is_maintainer(user, app)


def may_see_secret(user, app: OAuthApplication) -> bool:
    """The owner and co-maintainers see a secret they made themselves; staff never do."""
    return role(user, app) is not None


def may_leave(user, app: OAuthApplication) -> bool:
    """A co-maintainer may always take themselves off an app."""
    return is_maintainer(user, app)


def maintains(user) -> Exists:
    """SQL: the row's application has `user` as a co-maintainer (one indexed EXISTS per row)."""
    return Exists(Maintainer.objects.filter(application_id=OuterRef("pk"), user_id=user.pk))


def applications_for(user, action: Action = Action.VIEW):
    """The applications `user` may do `action` to: their own, those they co-maintain, or all if permitted.

    Acting on chosen apps (a page, a bulk selection), co-maintained ones are an
    EXISTS on the (user, application) index beside the lookup by id. Listing
    (LIST), the ids of the co-maintained apps are read first, in one query
    however many there are, so the list's filter is `user_id = … OR id IN (…)`:
    both sides are index lookups, where an OR with EXISTS would make PostgreSQL
    read every app to find a user's few (docs/managing-apps.md has the measurements).
    """
    queryset = OAuthApplication.objects.all()
    if not _signed_in(user):
        return queryset.none()
    if action in STAFF_ONLY_ACTIONS:
        return queryset if may_act_on_others(user, action) else queryset.none()
    if action in OWNER_ONLY_ACTIONS:
        return queryset.filter(user_id=user.pk)
    if may_act_on_others(user, action):
        return queryset
    if action == Action.LIST:
        shared = list(Maintainer.objects.filter(user_id=user.pk).values_list("application_id", flat=True))
        return (
            queryset.filter(Q(user_id=user.pk) | Q(pk__in=shared))
            if shared
            else queryset.filter(user_id=user.pk)
        )
    if action in MAINTAINER_ACTIONS:
        return queryset.filter(Q(user_id=user.pk) | maintains(user))
    return queryset.filter(user_id=user.pk)


def may_review(user) -> bool:
    """May `user` open the review queue and approve or reject the apps in it?"""
    return may_act_on_others(user, Action.REVIEW)


def pending_offers_for(user):
    """The unexpired offers made to `user`, newest first."""
    if not _signed_in(user):
        return OwnershipOffer.objects.none()
    return OwnershipOffer.objects.filter(to_user_id=user.pk, expires__gt=timezone.now())


def abilities(user, app: OAuthApplication) -> dict[str, bool]:
    """What a page may offer `user` for `app` (buttons for actions they may not do are left out)."""
    return {action.value: may(user, action, app) for action in Action} | {
        "see_secret": may_see_secret(user, app),
        "own": is_owner(user, app),
        "maintain": is_maintainer(user, app),
    }


class OwnedApplicationMixin(LoginRequiredMixin):
    """Scope every lookup to the apps the user may do `access_action` to (see the table above)."""

    access_action = Action.VIEW

    def get_access_action(self) -> Action:
        return self.access_action

    def get_queryset(self):
        return applications_for(self.request.user, self.get_access_action())
