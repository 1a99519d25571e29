"""The public keys of a metadata-document client that signs its token requests (private_key_jwt).

A document with `token_endpoint_auth_method: private_key_jwt` names its keys in
exactly one of `jwks` (the key set itself) or `jwks_uri` (an https URL the portal
fetches with client_metadata/fetcher.py, under the same limits as the document).
Only public, asymmetric signing keys are accepted: a key set carrying private key
members (`d`, `p`, …) or a symmetric key (`oct`, `k`) is refused, since a key
published in a document is readable by anyone.

The signature checks themselves are authserver/client_assertions.py's.
"""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from jwcrypto.common import JWException
from jwcrypto.jwk import JWK

from oauth_apps.validators import clean_web_url

from . import documents

# A handful of keys is a rotation in progress; more is not a client's key set.
MAX_KEYS = 10
# A fetched key set: ten 4096-bit RSA keys fit in well under this.
MAX_JWKS_BYTES = 16 * 1024
JWKS_ACCEPT = "application/jwk-set+json, application/json"
# Members that only a private (or a symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
CURVES = {"EC": ("P-256", "P-384", "P-521"), "OKP": ("Ed25519", "Ed448")}
MIN_RSA_BITS = 2048


def check_jwks(value, member: str = "jwks") -> dict:
    """The key set `value`, checked: public RSA, EC or OKP signing keys only."""
    keys = value.get("keys") if isinstance(value, dict) else None
    if not isinstance(keys, list) or not keys:
        raise documents.member_error(
            member, _("must be a JSON Web Key Set: an object whose “keys” is a non-empty list")
        )
    if len(keys) > MAX_KEYS:
        raise documents.member_error(member, _("may hold at most %(count)d keys") % {"count": MAX_KEYS})
    for key in keys:
        _check_key(key, member)
    return {"keys": keys}


def _check_key(key, member: str) -> None:
    if not isinstance(key, dict):
        raise documents.member_error(member, _("every key must be a JSON object"))
    private = [name for name in PRIVATE_MEMBERS if name in key]
    if private:
        raise documents.member_error(
            member,
            _("must hold public keys only; a key carries private or secret key members (%(members)s)")
            % {"members": ", ".join(private)},
        )
    kty = key.get("kty")
    if kty not in ("RSA", "EC", "OKP"):
        raise documents.member_error(member, _("only RSA, EC and OKP (Ed25519) signing keys are accepted"))
    if key.get("use", "sig") != "sig":
        raise documents.member_error(member, _("a key’s “use” must be “sig”"))
    if kty in CURVES and key.get("crv") not in CURVES[kty]:
        raise documents.member_error(
            member, _("the curve of an %(kty)s key is not one for signatures") % {"kty": kty}
        )
    try:
        jwk = JWK(**key)
        size = jwk.get_op_key("verify").key_size if kty == "RSA" else None
    except (JWException, ValueError, TypeError, KeyError) as error:
        raise documents.member_error(member, _("a key is not a valid JSON Web Key")) from error
    if jwk.has_private:
        raise documents.member_error(member, _("must hold public keys only"))
    if size is not None and size < MIN_RSA_BITS:
        raise documents.member_error(
            member, _("RSA keys must be at least %(bits)d bits long") % {"bits": MIN_RSA_BITS}
        )


def check_jwks_uri(value) -> str:
    """The document's `jwks_uri`: an https URL under the URL rules of the registration form."""
    if not isinstance(value, str):
        raise documents.member_error("jwks_uri", _("must be a string"))
    try:
        url = clean_web_url(value)
    except ValidationError as error:
        raise documents.member_error("jwks_uri", " ".join(error.messages)) from error
    if not url.startswith("https://"):
        raise documents.member_error("jwks_uri", _("must be an https URL"))
    return url


def parse_jwks(body: bytes) -> dict:
    """A key set fetched from a `jwks_uri`, checked like an inline one."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise documents.member_error("jwks_uri", _("the key set is not valid JSON")) from error
    return check_jwks(value, "jwks_uri")
