"""Top-level URLs: web pages, admin, API v1 and its schema."""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.decorators.cache import cache_control
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from recall.decks.rendering import pygments_css
from recall.study.views import CardBrowserView, HomeView


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@cache_control(max_age=86400, public=True)
def code_css(request: HttpRequest) -> HttpResponse:
    # Generated from Pygments so the highlighting colours always match the renderer.
    return HttpResponse(pygments_css(), content_type="text/css")


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static_url("img/favicon.svg"))


# Swagger UI and ReDoc are served from our static files (drf-spectacular-sidecar) with no
# inline script (the split view serves Swagger's start-up code as a file); both style their
# widgets with inline styles, and ReDoc searches in a worker made from a blob.
_docs_csp = csp_update({"style-src": [UNSAFE_INLINE]})
_redoc_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

# A database or Redis outage met outside a view still answers 503, not 500.
handler500 = "recall.core.outages.server_error"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("code.css", code_css, name="code-css"),
    # For clients that ask for /favicon.ico without reading the page's <link rel="icon">.
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        _docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        _redoc_csp(SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")),
        name="redoc",
    ),
    path("api-auth/", include("rest_framework.urls")),
    path("accounts/", include("recall.accounts.urls")),
    path("search/", include("recall.search.urls")),
    path("study/", include("recall.study.urls")),
    path("sources/", include("recall.sources.urls")),
    path("interview/", include("recall.interview.urls")),
    path("", HomeView.as_view(), name="home"),
    path("cards/", CardBrowserView.as_view(), name="card-browser"),
    path("", include("recall.decks.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
