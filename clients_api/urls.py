from django.urls import path

from . import docs, token_views, views

app_name = "clients_api"

urlpatterns = [
    path("oauth/clients", views.ClientListView.as_view(), name="clients"),
    path("oauth/clients/bulk", views.BulkView.as_view(), name="bulk"),
    path("oauth/clients/<int:pk>", views.ClientView.as_view(), name="client"),
    path("oauth/clients/<int:pk>/enable", views.ClientActionView.as_view(action="enable"), name="enable"),
    path("oauth/clients/<int:pk>/disable", views.ClientActionView.as_view(action="disable"), name="disable"),
    path(
        "oauth/clients/<int:pk>/reset-secret",
        views.ClientActionView.as_view(action="reset_secret"),
        name="reset_secret",
    ),
    path(
        "oauth/clients/<int:pk>/rotate-secret",
        views.ClientActionView.as_view(action="rotate_secret"),
        name="rotate_secret",
    ),
    path(
        "oauth/clients/<int:pk>/end-rotation",
        views.ClientActionView.as_view(action="end_rotation"),
        name="end_rotation",
    ),
    path("oauth/clients/<int:pk>/audit", views.AuditView.as_view(), name="audit"),
    path("openapi.json", docs.openapi_json, name="openapi"),
    path("openapi.yaml", docs.openapi_yaml, name="openapi_yaml"),
    path("docs/", docs.reference, name="reference"),
]

token_urlpatterns = [
    path("", token_views.TokenListView.as_view(), name="list"),
]
