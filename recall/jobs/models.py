"""Background jobs (imports, reindexing, link checks, source syncs) and their progress.

The jobs layer sits between accounts and decks: it knows users, never decks. A job that
made a deck keeps the deck's id in ``deck_id`` (a plain column, no foreign key): decks
clears it when the deck is deleted (recall.decks.receivers), as the foreign key's SET_NULL
did before jobs moved out of decks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from recall.core.models import TimeStampedModel
from recall.core.storage import private_upload_storage


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"
    # An import whose upload was read and shown, waiting for the user to confirm it.
    PREVIEW = "preview", "Previewed"


class JobKind(models.TextChoices):
    IMPORT = "import", "Import"
    REINDEX = "reindex", "Search reindex"
    LINK_CHECK = "link_check", "Link check"
    SOURCE_SYNC = "source_sync", "Source sync"


class Job(TimeStampedModel):
    """Background work a user waits for (an import, a reindex); its progress is shown live."""

    kind = models.CharField(max_length=12, choices=JobKind.choices, default=JobKind.IMPORT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    # The deck the job made or filled, if any (see the module's docstring).
    deck_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Slug of an existing deck to (re-)attach an import to, as with --deck.
    target_deck_slug = models.SlugField(max_length=200, blank=True)
    # The import options the user gave (the deck's remembered ones fill in the rest).
    import_options = models.JSONField(default=dict, blank=True)
    # Private: stored outside MEDIA_ROOT, so no web server serves it while the job runs.
    upload = models.FileField(
        upload_to="imports/%Y/%m/", storage=private_upload_storage, blank=True
    )
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename} ({self.status})"

    def get_absolute_url(self) -> str:
        # By URL name, not import: the job pages are served under the decks URLs.
        return reverse("decks:job-detail", kwargs={"pk": self.pk})
