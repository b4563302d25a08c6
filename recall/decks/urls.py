"""URLs of deck, card, import and gallery pages (the dashboard "home" is in config/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "decks"
urlpatterns = [
    path("decks/", views.DeckListView.as_view(), name="deck-list"),
    path("decks/new/", views.DeckCreateView.as_view(), name="deck-create"),
    path("decks/<int:pk>/", views.DeckDetailView.as_view(), name="deck-detail"),
    path("decks/<int:pk>/edit/", views.DeckUpdateView.as_view(), name="deck-edit"),
    path("decks/<int:pk>/delete/", views.DeckDeleteView.as_view(), name="deck-delete"),
    path("decks/<int:pk>/notes/new/", views.NoteCreateView.as_view(), name="note-create"),
    path("decks/<int:pk>/copy/", views.DeckCopyView.as_view(), name="deck-copy"),
    path(
        "decks/<int:pk>/update-copy/", views.DeckCopyUpdateView.as_view(), name="deck-copy-update"
    ),
    path(
        "decks/<int:pk>/check-links/", views.DeckLinksCheckView.as_view(), name="deck-check-links"
    ),
    path("decks/<int:pk>/export/<slug:fmt>/", views.DeckExportView.as_view(), name="deck-export"),
    path("gallery/", views.GalleryView.as_view(), name="gallery"),
    path("cards/<int:pk>/", views.CardDetailView.as_view(), name="card-detail"),
    path("cards/<int:pk>/edit/", views.CardUpdateView.as_view(), name="card-edit"),
    path("cards/<int:pk>/delete/", views.NoteDeleteView.as_view(), name="note-delete"),
    path("preview/", views.MarkdownPreviewView.as_view(), name="markdown-preview"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="import-confirm"),
    path("import/<int:pk>/discard/", views.ImportDiscardView.as_view(), name="import-discard"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/status/", views.JobStatusView.as_view(), name="job-status"),
]
