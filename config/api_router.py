"""The one DRF router under /api/v1/: each app's ``api/urls.py`` hands it its viewsets
(``routes``) and its other views (``urlpatterns``)."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from recall.accounts.api import urls as accounts_api
from recall.decks.api import urls as decks_api
from recall.jobs.api import urls as jobs_api
from recall.search.api import urls as search_api
from recall.sources.api import urls as sources_api

router = DefaultRouter()
# One URL per resource: no `.json` suffix variants (`?format=` names export formats).
router.include_format_suffixes = False

for app_api in (decks_api, jobs_api, accounts_api, sources_api):
    for route in app_api.routes:
        router.register(route.prefix, route.viewset, basename=route.basename)

app_name = "api"
urlpatterns: list = [
    *accounts_api.urlpatterns,
    *search_api.urlpatterns,
    *decks_api.urlpatterns,
    *jobs_api.urlpatterns,
    *sources_api.urlpatterns,
    # Namespaced: api:study:queue, api:interview:score.
    path("study/", include("recall.study.api.urls")),
    path("interview/", include("recall.interview.api.urls")),
    *router.urls,
]
