"""The authorization server's URLs, in the toolkit's namespace (its views reverse these names).

Only what we offer is mounted. The toolkit's device authorization, application and
token management views, RP-initiated logout and dynamic registration are not;
tests/authserver/test_offered_paths.py fails if one of them appears. The
protected-resource metadata of our API is our own view (authserver/resources.py).
"""

from django.urls import path

from . import api, views

app_name = "oauth2_provider"

server_metadata = views.ServerMetadataView.as_view()
resource_metadata = views.ProtectedResourceMetadataView.as_view()

# The discovery documents under /.well-known/: one server metadata document at RFC 8414's
# and OpenID Connect Discovery's address; RFC 9728's resource metadata in the
# path-suffixed form for our API's identifier (…/api/2.0) and at the root.
well_known = [
    ("oauth-authorization-server", server_metadata, "oauth-server-metadata"),
    ("openid-configuration", server_metadata, "oidc-connect-discovery-info"),
    ("oauth-protected-resource/api/2.0", resource_metadata, "oauth-resource-metadata-api"),
    ("oauth-protected-resource", resource_metadata, "oauth-resource-metadata"),
    ("jwks.json", views.JwksView.as_view(), "jwks-info"),
]

urlpatterns = [
    path("oauth/authorize/", views.ConsentView.as_view(), name="authorize"),
    path("oauth/token/", views.TokenView.as_view(), name="token"),
    path("oauth/revoke/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("oauth/userinfo/", views.UserInfoView.as_view(), name="user-info"),
    *(path(f".well-known/{address}", view, name=name) for address, view, name in well_known),
]

api_urlpatterns = [
    path("people/@self", api.SelfView.as_view(), name="self"),
    path("people", api.PeopleView.as_view(), name="people"),
]
