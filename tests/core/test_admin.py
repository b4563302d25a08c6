"""Every model of Recall is in the admin, and each changelist page loads with its filters."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import NoteFactory, UserFactory

RECALL_APPS = {"accounts", "decks", "study", "search", "core"}


def test_every_recall_model_is_registered_in_the_admin() -> None:
    models = [m for m in apps.get_models() if m._meta.app_label in RECALL_APPS]
    missing = [m._meta.label for m in models if m not in admin.site._registry]
    assert models and missing == []


@pytest.mark.django_db
def test_every_changelist_and_search_page_loads(client) -> None:
    NoteFactory()
    staff = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for model in admin.site._registry:
        if model._meta.app_label not in RECALL_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "what"}).status_code == 200, url
