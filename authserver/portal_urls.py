from django.urls import path

from . import pages

app_name = "authserver"

urlpatterns = [
    path("settings/authorized-apps/", pages.AuthorizedAppsView.as_view(), name="authorized_apps"),
    path(
        "settings/developer-tools/oauth/<int:pk>/developer/",
        pages.DeveloperToolsView.as_view(),
        name="developer_tools",
    ),
]
