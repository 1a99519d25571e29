"""The scope catalog: the one list that the form, the list, the admin and the
consent screen all read.

Scopes are stored on an application as a bit set (`scope_bits`), one bit per
catalog entry, declared with the entry, so the list can filter by scope with
plain integer arithmetic on both SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    name: str
    group: str
    access: str  # "read" or "write"
    description: str
    bit: int
    implies: str | None = None  # the read scope a write scope includes


@dataclass(frozen=True)
class ScopeGroup:
    key: str
    label: str
    read: Scope | None
    write: Scope | None


# Each scope names its own bit: the bit is what applications store, so it never
# changes and is never reused. A new scope takes the next unused bit; the order
# of this tuple is only the order pages show.
SCOPES: tuple[Scope, ...] = (
    Scope("accounts.self:read", "profile", "read", _("View basic information about your profile"), 1 << 0),
    Scope(
        "accounts.self:write",
        "profile",
        "write",
        _("View and manage basic information about your profile"),
        1 << 1,
        implies="accounts.self:read",
    ),
    Scope("accounts:read", "accounts", "read", _("View all accounts"), 1 << 2),
    Scope("accounts:write", "accounts", "write", _("View and manage all accounts"), 1 << 3, "accounts:read"),
    Scope("files:read", "files", "read", _("View all files and folders"), 1 << 4),
    Scope("files:write", "files", "write", _("View and manage all files and folders"), 1 << 5, "files:read"),
    Scope("rooms:read", "rooms", "read", _("View all rooms"), 1 << 6),
    Scope("rooms:write", "rooms", "write", _("View and manage all rooms"), 1 << 7, "rooms:read"),
    Scope("openid", "openid", "read", _("View your personal data"), 1 << 8),
)
SCOPES_BY_NAME: dict[str, Scope] = {scope.name: scope for scope in SCOPES}
ALL_SCOPE_BITS = sum(scope.bit for scope in SCOPES)

GROUP_LABELS = {
    "profile": _("Profile"),
    "accounts": _("Accounts"),
    "files": _("Files & Folders"),
    "rooms": _("Rooms"),
    "openid": _("Open ID"),
}


def groups() -> list[ScopeGroup]:
    """The catalog as the Read/Write table of the registration form."""
    result = []
    for key, label in GROUP_LABELS.items():
        members = {scope.access: scope for scope in SCOPES if scope.group == key}
        result.append(ScopeGroup(key=key, label=label, read=members.get("read"), write=members.get("write")))
    return result


def with_implied(names: Iterable[str]) -> set[str]:
    """Add the read scope of every write scope in `names`."""
    result = set(names)
    for name in list(result):
        scope = SCOPES_BY_NAME.get(name)
        if scope is not None and scope.implies:
            result.add(scope.implies)
    return result


def to_bits(names: Iterable[str]) -> int:
    """Bits for known scope names (unknown names are the caller's to refuse)."""
    return sum(SCOPES_BY_NAME[name].bit for name in set(names) if name in SCOPES_BY_NAME)


def from_bits(bits: int) -> list[Scope]:
    """Catalog entries present in `bits`, in catalog order."""
    return [scope for scope in SCOPES if bits & scope.bit]


def names_from_bits(bits: int) -> list[str]:
    return [scope.name for scope in from_bits(bits)]


def consent_lines(names: Iterable[str]) -> list[Scope]:
    """What the consent screen lists: a write scope replaces its read line."""
    present = set(names)
    hidden = {SCOPES_BY_NAME[name].implies for name in present if name in SCOPES_BY_NAME}
    return [scope for scope in SCOPES if scope.name in present and scope.name not in hidden]
