"""Top-level URLs: web pages, admin, API v1 and its schema."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from recall.decks.rendering import pygments_css
from recall.study.views import HomeView


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@cache_control(max_age=86400, public=True)
def code_css(request: HttpRequest) -> HttpResponse:
    # Generated from Pygments so the highlighting colours always match the renderer.
    return HttpResponse(pygments_css(), content_type="text/css")


# A database or Redis outage met outside a view still answers 503, not 500.
handler500 = "recall.core.outages.server_error"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("code.css", code_css, name="code-css"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api-auth/", include("rest_framework.urls")),
    path("accounts/", include("recall.accounts.urls")),
    path("search/", include("recall.search.urls")),
    path("study/", include("recall.study.urls")),
    path("", HomeView.as_view(), name="home"),
    path("", include("recall.decks.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
