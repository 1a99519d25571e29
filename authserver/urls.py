"""The authorization server's URLs, in the toolkit's namespace (its views reverse these names)."""

from django.urls import path
from oauth2_provider import views as dot_views

from . import api, views

app_name = "oauth2_provider"

urlpatterns = [
    path("oauth/authorize/", views.ConsentView.as_view(), name="authorize"),
    path("oauth/token/", dot_views.TokenView.as_view(), name="token"),
    path("oauth/revoke/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("oauth/userinfo/", dot_views.UserInfoView.as_view(), name="user-info"),
    path(
        ".well-known/oauth-authorization-server",
        views.ServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(
        ".well-known/openid-configuration",
        dot_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
]

api_urlpatterns = [
    path("people/@self", api.SelfView.as_view(), name="self"),
    path("people", api.PeopleView.as_view(), name="people"),
]
