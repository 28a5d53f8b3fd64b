from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from companies.api import urls as agency_api_urls
from portal import metrics, views

shell = [
    path("", views.home, name="home"),
    path("entrar/", views.StaffSignInView.as_view(), name="sign_in"),
    path("salir/", LogoutView.as_view(), name="sign_out"),
]

urlpatterns = [
    # First: every request is matched against the patterns above its own, and the agency
    # API's are the ones that must be answered fastest (none of the others starts with api/).
    path("api/v1/", agency_api_urls),
    path("", include((shell, "portal"))),
    path("", include("companies.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
