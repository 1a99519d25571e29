from django.urls import path

from . import views

app_name = "dynamic_registration"

urlpatterns = [
    path("oauth/register", views.RegisterView.as_view(), name="register"),
    path("oauth/register/<str:client_id>", views.ManageView.as_view(), name="manage"),
    path("oauth/self-registered/<str:kind>/", views.NotProvidedView.as_view(), name="not_provided"),
    path(
        "settings/developer-tools/oauth/registration-tokens/",
        views.InitialTokenListView.as_view(),
        name="initial_tokens",
    ),
]
