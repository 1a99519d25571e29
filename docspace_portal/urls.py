from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import urls as accounts_urls
from authserver import portal_urls as authserver_portal_urls
from authserver import urls as authserver_urls
from common.ratelimit import sign_in_limited
from oauth_apps import urls as oauth_app_urls
from oauth_apps import views as oauth_app_views

from .health import healthz

handler500 = "docspace_portal.errors.handler500"

admin.site.site_header = _("DocSpace Portal administration")
admin.site.site_title = _("DocSpace Portal administration")
admin.site.index_title = _("Support: applications, their audit trail and people")

# Every sign-in form shares one limiter (failed attempts, per address and per username).
sign_in = sign_in_limited(auth_views.LoginView.as_view(redirect_authenticated_user=True))
admin_sign_in = sign_in_limited(admin.site.login)

urlpatterns = [
    path("", oauth_app_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "settings/developer-tools/oauth/",
        include((oauth_app_urls.urlpatterns + oauth_app_urls.icon_urlpatterns, "oauth_apps")),
    ),
    path("", include(accounts_urls)),
    path("", include(authserver_urls)),
    path("", include(authserver_portal_urls)),
    path("api/2.0/", include((authserver_urls.api_urlpatterns, "api"))),
    path("admin/login/", admin_sign_in),  # before admin.site.urls, which would serve it unlimited
    path("admin/", admin.site.urls),
]
