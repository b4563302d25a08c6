"""How an app's API hands its viewsets to the one router of /api/v1/ (config/api_router.py).

Each app's ``api/urls.py`` lists its viewsets as ``routes`` and its other views as
``urlpatterns``; one DefaultRouter keeps one API root listing every resource.
"""

from __future__ import annotations

from typing import NamedTuple

from rest_framework.viewsets import ViewSetMixin


class ViewSetRoute(NamedTuple):
    prefix: str
    viewset: type[ViewSetMixin]
    basename: str
