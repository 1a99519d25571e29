from django.urls import path

from docspace_portal.ratelimit import rate_limited

from . import pages

app_name = "authserver"

urlpatterns = [
    path("settings/authorized-apps/", pages.AuthorizedAppsView.as_view(), name="authorized_apps"),
    path(
        "settings/developer-tools/oauth/<int:pk>/developer/",
        rate_limited("token", when=lambda request: "generate" in request.POST)(
            pages.DeveloperToolsView.as_view()
        ),
        name="developer_tools",
    ),
]
