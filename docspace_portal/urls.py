from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import last_modified
from django.views.decorators.vary import vary_on_headers
from django.views.i18n import JavaScriptCatalog

from accounts import urls as accounts_urls
from accounts import views as account_views
from authserver import portal_urls as authserver_portal_urls
from authserver import urls as authserver_urls
from clients_api import urls as clients_api_urls
from common.ratelimit import sign_in_limited
from dynamic_registration import urls as dynamic_registration_urls
from oauth_apps import urls as oauth_app_urls
from oauth_apps import views as oauth_app_views

from .health import healthz

handler500 = "docspace_portal.errors.handler500"

# Catalogs change only with a deploy (a restart), so browsers may revalidate against
# the start time; the language comes from the cookie or Accept-Language, hence Vary.
_catalog_date = timezone.now()
javascript_catalog = vary_on_headers("Accept-Language", "Cookie")(
    last_modified(lambda request, **kwargs: _catalog_date)(JavaScriptCatalog.as_view())
)

admin.site.site_header = _("DocSpace Portal administration")
admin.site.site_title = _("DocSpace Portal administration")
admin.site.index_title = _("Support: applications, their audit trail and people")

# Every sign-in form shares one limiter (failed attempts, per address and per username).
sign_in = sign_in_limited(account_views.SignInView.as_view(redirect_authenticated_user=True))
admin_sign_in = sign_in_limited(admin.site.login)

urlpatterns = [
    path("", oauth_app_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    # portal.js's strings in the page's language; a static script URL, so script-src 'self' allows it.
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path(
        "settings/developer-tools/oauth/",
        include((oauth_app_urls.urlpatterns + oauth_app_urls.icon_urlpatterns, "oauth_apps")),
    ),
    path("", include(accounts_urls)),
    path("", include(authserver_urls)),
    path("", include(authserver_portal_urls)),
    path("", include(dynamic_registration_urls)),
    path("settings/api-tokens/", include((clients_api_urls.token_urlpatterns, "api_tokens"))),
    path("api/2.0/", include((authserver_urls.api_urlpatterns, "api"))),
    path("api/2.0/", include(clients_api_urls)),
    path("admin/login/", admin_sign_in),  # before admin.site.urls, which would serve it unlimited
    path("admin/", admin.site.urls),
]
