"""A client that registered itself completes code + PKCE through consent and the token endpoint."""

from oauth2_provider.models import get_access_token_model

from dynamic_registration.models import ClientRegistration
from oauth_apps.models import OAuthApplication, RegistrationSource
from tests.authserver.conftest import TOKEN_URL, bearer

from .conftest import LOOPBACK_REDIRECT


def test_registered_client_gets_a_token_through_consent(registrar, flow, client):
    info = registrar.registered()
    app = OAuthApplication.objects.get(client_id=info["client_id"])
    assert app.registration_source == RegistrationSource.DYNAMIC
    assert app.user is None
    assert app.is_public

    code = flow.code(app, scope="accounts.self:read openid")
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": LOOPBACK_REDIRECT,
            "client_id": info["client_id"],
            "code_verifier": flow.verifier,
        },
    )
    assert response.status_code == 200, response.content
    access_token = response.json()["access_token"]
    assert get_access_token_model().objects.filter(application=app).count() == 1
    # The client got a token, so it is kept when unused registrations are pruned.
    assert ClientRegistration.objects.get(application=app).first_token_at is not None
    assert client.get("/api/2.0/people/@self", headers=bearer(access_token)).status_code == 200


def test_with_review_on_a_self_registered_client_waits_like_any_new_app(registrar, flow, admin_user):
    from oauth_apps.models import PortalPolicy, ReviewState
    from oauth_apps.services import review_application

    policy = PortalPolicy.load()
    policy.review_new_apps = True
    policy.save()
    info = registrar.registered()
    app = OAuthApplication.objects.get(client_id=info["client_id"])
    assert app.review_state == ReviewState.PENDING
    page = flow.authorize(app, scope="accounts.self:read openid")
    assert page.status_code == 403
    assert "waiting for review" in page.content.decode()
    assert review_application(app, actor=admin_user, approve=True)
    assert flow.code(app, scope="accounts.self:read openid")
