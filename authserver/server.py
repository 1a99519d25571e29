"""The oauthlib server the toolkit runs, narrowed to what the portal offers.

oauthlib's all-in-one OpenID server also answers the implicit, hybrid, password,
client-credentials and device grants. We offer the authorization code grant with
PKCE S256 and the refresh grant, nothing else, so the server is built with only
those (through the endpoints' own constructors), and a request for anything else
is refused before a client is even looked up.
"""

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.endpoints import AuthorizationEndpoint, TokenEndpoint
from oauthlib.openid import Server

from .resources import refuse_unknown

S256 = "S256"
RESPONSE_TYPES = ["code"]
GRANT_TYPES = ["authorization_code", "refresh_token"]


# Parameters of an authorization request that oauthlib carries as attributes (the
# consent form sends them back as credentials, not in the query).
_CARRIED = ("state", "nonce", "code_challenge", "code_challenge_method", "scope", "response_type", "claims")


def refuse_control_characters(request) -> dict:
    """`invalid_request` for a parameter with a control character (RFC 6749 Appendix A).

    Such a value can only be an attack or a broken client, and a NUL byte would reach
    PostgreSQL when the code is saved, which refuses it with an error.
    """
    values = [value for _key, value in request.uri_query_params]
    values += [getattr(request, name, None) for name in _CARRIED]
    for value in values:
        if isinstance(value, str) and any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
            raise errors.InvalidRequestError(
                description="A parameter contains a control character.", request=request
            )
    return {}


def require_code_response_type(request) -> dict:
    """Anything but `code` is `unsupported_response_type` (RFC 6749 §4.1.2.1).

    Runs after the client and redirect URI are known to be good, so the error is
    sent back to the client. oauthlib would route `code token` and other hybrid types
    to the code grant and answer `unauthorized_client`, which tells the client it
    might be allowed some day.
    """
    if request.response_type is not None and request.response_type != "code":
        raise errors.UnsupportedResponseTypeError(request=request)
    return {}


def require_s256(request) -> dict:
    """Refuse `plain` (and a missing method, which RFC 7636 reads as plain) before consent.

    The toolkit's COMPLIANT_BCP_RFC9700_PKCE_METHOD flag refuses plain too, but only
    when the code is saved — after the user has already clicked Allow. Checking here
    answers the client at once with `invalid_request` (RFC 7636 §4.4.1).
    """
    if request.code_challenge is not None and request.code_challenge_method != S256:
        raise errors.UnsupportedCodeChallengeMethodError(
            description='Only the "S256" code_challenge_method is supported.', request=request
        )
    return {}


def require_known_resources(request) -> dict:
    """`invalid_target` before consent for a `resource` this server issues no tokens for (RFC 8707 §2).

    The first look reads the query (RFC 8707 allows the parameter more than once);
    when the consent form comes back, the consent view hands the list over as a
    credential, and it is checked again before the code is issued.
    """
    resources = getattr(request, "resource", None)
    if not isinstance(resources, list):
        resources = [value for key, value in request.uri_query_params if key == "resource"]
    refuse_unknown(resources, request)
    return {}


class PortalServer(Server):
    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        # Only `code`: an unknown response type reaches the code grant, whose
        # pre-auth check below refuses it once the redirect URI is known.
        AuthorizationEndpoint.__init__(
            self,
            default_response_type="code",
            response_types={"code": self.auth_grant_choice},
            default_token_type=self.bearer,
        )
        # Only our grants: any other grant_type reaches the code grant, which answers
        # unsupported_grant_type before it authenticates anyone.
        TokenEndpoint.__init__(
            self,
            default_grant_type="authorization_code",
            grant_types={"authorization_code": self.token_grant_choice, "refresh_token": self.refresh_grant},
            default_token_type=self.bearer,
        )
        # The OpenID grant wraps its own OAuth 2.0 code grant; both see every request.
        for grant in (self.auth_grant, self.openid_connect_auth):
            grant.custom_validators.pre_auth[:0] = [
                refuse_control_characters,
                require_code_response_type,
                require_s256,
                require_known_resources,
            ]
