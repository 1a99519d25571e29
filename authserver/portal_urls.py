from django.urls import path

from common.ratelimit import rate_limited

from . import portal_views

app_name = "authserver"

urlpatterns = [
    path("settings/authorized-apps/", portal_views.AuthorizedAppsView.as_view(), name="authorized_apps"),
    path(
        "settings/developer-tools/oauth/<int:pk>/developer/",
        rate_limited("token", when=lambda request: "generate" in request.POST)(
            portal_views.DeveloperToolsView.as_view()
        ),
        name="developer_tools",
    ),
]
