"""The oauthlib server the toolkit runs, with PKCE narrowed to S256."""

from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid import Server

S256 = "S256"


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


class PortalServer(Server):
    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        # The OpenID grant wraps its own OAuth 2.0 code grant; both see every request.
        for grant in (self.auth_grant, self.openid_connect_auth):
            grant.custom_validators.pre_auth.append(require_s256)
