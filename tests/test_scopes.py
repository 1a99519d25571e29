"""The scope catalog: stored bits are declared, so no edit of the catalog can remap them."""

from oauth_apps import scopes

# What applications have stored since the catalog began. Never change a line:
# add new scopes below with a new bit.
STORED_BITS = {
    "accounts.self:read": 1,
    "accounts.self:write": 2,
    "accounts:read": 4,
    "accounts:write": 8,
    "files:read": 16,
    "files:write": 32,
    "rooms:read": 64,
    "rooms:write": 128,
    "openid": 256,
}


def test_every_stored_scope_keeps_its_bit():
    assert {name: scope.bit for name, scope in scopes.SCOPES_BY_NAME.items() if name in STORED_BITS} == (
        STORED_BITS
    )


def test_no_scope_is_dropped_and_bits_are_single_and_unique():
    bits = [scope.bit for scope in scopes.SCOPES]
    assert set(STORED_BITS) <= set(scopes.SCOPES_BY_NAME)
    assert len(set(bits)) == len(bits)
    assert all(bit > 0 and bit & (bit - 1) == 0 for bit in bits)


def test_bits_round_trip_to_names_in_catalog_order():
    bits = scopes.to_bits(["openid", "files:read"])
    assert bits == 256 + 16
    assert scopes.names_from_bits(bits) == ["files:read", "openid"]
