"""Who may do what to which application, and ids from forms that never reach the database malformed.

The one place the rule lives; the portal's pages (oauth_apps and authserver)
and any future API ask here, never `is_staff` on their own:

- The owner may do everything to their own app, and is the only person who
  ever sees its client secret.
- Anyone else acts on an app only as an active staff member holding the
  Django permission for that action (a superuser holds them all):

  | action | permission |
  |---|---|
  | open another user's app (info, history, tools page) | `oauth_apps.view_oauthapplication` or change |
  | find other users' apps in the portal's list | `oauth_apps.view_all_applications` |
  | edit, enable, disable, use developer tools | `oauth_apps.change_oauthapplication` |
  | delete | `oauth_apps.delete_oauthapplication` |
  | reset the client secret (the new one is shown to nobody) | `oauth_apps.reset_secret_oauthapplication` |
  | mark an app as a resource server (may introspect others' tokens) | `oauth_apps.mark_resource_server` |
  | block a metadata-document URL or host (client_metadata/) | `client_metadata.add_blockedclient` |
  | lift such a block | `client_metadata.delete_blockedclient` |

An app the user may not act on is looked up as if it did not exist (404), so
pages never tell another user's app from a missing one.

Beyond applications: the initial access tokens that let a party register clients
itself while the portal policy requires one (dynamic_registration/) are made,
seen and revoked by active staff holding
`dynamic_registration.add_initialaccesstoken` (`may_manage_initial_access_tokens`).
"""

from enum import StrEnum

from django.contrib.auth.mixins import LoginRequiredMixin

from .models import OAuthApplication

MAX_PK = 2**63 - 1  # the largest id the database can hold


class Action(StrEnum):
    VIEW = "view"
    LIST = "list"
    CHANGE = "change"
    DELETE = "delete"
    RESET_SECRET = "reset_secret"  # noqa: S105 -- an action's name, not a secret
    MARK_RESOURCE_SERVER = "mark_resource_server"
    BLOCK_CLIENT = "block_client"
    UNBLOCK_CLIENT = "unblock_client"


# Any one of these permissions lets a staff member do the action to another user's app.
PERMISSIONS = {
    Action.VIEW: ("oauth_apps.view_oauthapplication", "oauth_apps.change_oauthapplication"),
    Action.LIST: ("oauth_apps.view_all_applications",),
    Action.CHANGE: ("oauth_apps.change_oauthapplication",),
    Action.DELETE: ("oauth_apps.delete_oauthapplication",),
    Action.RESET_SECRET: ("oauth_apps.reset_secret_oauthapplication",),
    Action.MARK_RESOURCE_SERVER: ("oauth_apps.mark_resource_server",),
    Action.BLOCK_CLIENT: ("client_metadata.add_blockedclient",),
    Action.UNBLOCK_CLIENT: ("client_metadata.delete_blockedclient",),
}
# Staff decisions about apps in general, never an owner's about their own.
STAFF_ONLY = frozenset({Action.MARK_RESOURCE_SERVER, Action.BLOCK_CLIENT, Action.UNBLOCK_CLIENT})


def parse_pk(value) -> int | None:
    """An application id from a form field, or None; never a value the database would choke on."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    pk = int(value)
    return pk if 0 < pk <= MAX_PK else None


def may_act_on_others(user, action: Action) -> bool:
    """May `user` do `action` to applications that are not theirs?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and any(user.has_perm(permission) for permission in PERMISSIONS[action])


INITIAL_ACCESS_TOKEN_PERMISSION = "dynamic_registration.add_initialaccesstoken"  # noqa: S105 -- a permission


def may_manage_initial_access_tokens(user) -> bool:
    """May `user` make, see and revoke initial access tokens for dynamic client registration?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.is_staff and user.has_perm(INITIAL_ACCESS_TOKEN_PERMISSION))


def is_owner(user, app: OAuthApplication) -> bool:
    return user is not None and user.is_authenticated and app.user_id == user.pk


def may(user, action: Action, app: OAuthApplication) -> bool:
    if action in STAFF_ONLY:
        return may_act_on_others(user, action)  # owners may not vouch for their own app
    return is_owner(user, app) or may_act_on_others(user, action)


def may_see_secret(user, app: OAuthApplication) -> bool:
    """Only the owner, whatever their other powers."""
    return is_owner(user, app)


def applications_for(user, action: Action = Action.VIEW):
    """The applications `user` may do `action` to: their own, or every one if permitted."""
    queryset = OAuthApplication.objects.all()
    if not may_act_on_others(user, action):
        queryset = queryset.filter(user_id=user.pk)
    return queryset


def abilities(user, app: OAuthApplication) -> dict[str, bool]:
    """What a page may offer `user` for `app` (buttons for actions they may not do are left out)."""
    return {action.value: may(user, action, app) for action in Action} | {
        "see_secret": may_see_secret(user, app),
        "own": is_owner(user, app),
    }


class OwnedApplicationMixin(LoginRequiredMixin):
    """Scope every lookup to the apps the user may do `access_action` to (see the table above)."""

    access_action = Action.VIEW

    def get_access_action(self) -> Action:
        return self.access_action

    def get_queryset(self):
        return applications_for(self.request.user, self.get_access_action())
