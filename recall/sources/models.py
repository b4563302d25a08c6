"""Sources of notes (a Git repository or a server folder), their files and sync history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from recall.core.models import TimeStampedModel
from recall.decks.models import Deck
from recall.jobs.models import Job


class SourceKind(models.TextChoices):
    GIT = "git", "Git repository"
    FOLDER = "folder", "Server folder"


class Forge(models.TextChoices):
    AUTO = "auto", "Detect from the URL"
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    GITEA = "gitea", "Gitea / Forgejo"
    NONE = "none", "No web view"


class Source(TimeStampedModel):
    """Where a user's notes live; each matching file is kept in sync with one deck."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sources"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.GIT)
    # A Git URL (https://, ssh://, git@host:path) or, for a folder, a path on the server.
    url = models.CharField(max_length=500)
    branch = models.CharField(max_length=200, default="main", blank=True)
    subfolder = models.CharField(max_length=300, blank=True)
    glob = models.CharField(max_length=200, default="**/*.md")
    forge = models.CharField(max_length=10, choices=Forge.choices, default=Forge.AUTO)
    # User name for HTTPS (a token's owner); the secret itself is only stored encrypted.
    username = models.CharField(max_length=100, blank=True)
    credential_encrypted = models.TextField(blank=True, editable=False)
    interval_minutes = models.PositiveIntegerField(default=15)
    # ImportOptions.to_dict() for every file of the source (separators, cloze styles).
    import_options = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    # The last good state: what the decks show. A failed sync leaves it untouched.
    last_commit = models.CharField(max_length=64, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="source_name_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sources:source-detail", kwargs={"pk": self.pk})

    @property
    def has_credential(self) -> bool:
        return bool(self.credential_encrypted)


class SourceFile(models.Model):
    """A file of a source as last imported, and the deck it feeds."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    deck = models.ForeignKey(
        Deck, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_files"
    )
    # Git blob id of the content imported: a file is re-imported only when it changes.
    blob_sha = models.CharField(max_length=64, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    # The text imported, so a card edited in Recall can be offered back as a patch.
    content = models.TextField(blank=True)
    # Gone from the source: its deck's cards are archived, never deleted.
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["source_id", "path"]
        constraints = [
            models.UniqueConstraint(fields=["source", "path"], name="source_file_unique_path")
        ]

    def __str__(self) -> str:
        return self.path


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


ACTIVE_SYNC_STATUSES = (SyncStatus.PENDING, SyncStatus.RUNNING)


class SyncTrigger(models.TextChoices):
    MANUAL = "manual", "Sync now"
    SCHEDULE = "schedule", "Schedule"


class SyncRun(TimeStampedModel):
    """One sync of a source: the commit reached, the files changed, the cards touched."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    job = models.OneToOneField(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_run"
    )
    trigger = models.CharField(
        max_length=10, choices=SyncTrigger.choices, default=SyncTrigger.MANUAL
    )
    status = models.CharField(
        max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING, db_index=True
    )
    previous_commit = models.CharField(max_length=64, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    # [{"path": ..., "change": "added|modified|renamed|removed", "old_path": ...}]
    files_changed = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    decks_archived = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one sync of a source waiting or running: "sync now" twice runs once.
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(status__in=["pending", "running"]),
                name="sync_run_one_active_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} @ {self.commit[:10] or '?'} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_SYNC_STATUSES
