"""The authorization server's URLs, in the toolkit's namespace (its views reverse these names).

Only what we offer is mounted. The toolkit's device authorization, application and
token management views, RP-initiated logout and dynamic registration are not;
tests/authserver/test_offered_paths.py fails if one of them appears. The
protected-resource metadata of our API is our own view (authserver/resources.py).
"""

from django.urls import path

from . import api, views

app_name = "oauth2_provider"

urlpatterns = [
    path("oauth/authorize/", views.ConsentView.as_view(), name="authorize"),
    path("oauth/token/", views.TokenView.as_view(), name="token"),
    path("oauth/revoke/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("oauth/userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path(
        ".well-known/oauth-authorization-server",
        views.ServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(
        ".well-known/openid-configuration",
        views.ServerMetadataView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    # RFC 9728: the path-suffixed form for our API's identifier (…/api/2.0), and the root.
    path(
        ".well-known/oauth-protected-resource/api/2.0",
        views.ProtectedResourceMetadataView.as_view(),
        name="oauth-resource-metadata-api",
    ),
    path(
        ".well-known/oauth-protected-resource",
        views.ProtectedResourceMetadataView.as_view(),
        name="oauth-resource-metadata",
    ),
    path(".well-known/jwks.json", views.JwksView.as_view(), name="jwks-info"),
]

api_urlpatterns = [
    path("people/@self", api.SelfView.as_view(), name="self"),
    path("people", api.PeopleView.as_view(), name="people"),
]
