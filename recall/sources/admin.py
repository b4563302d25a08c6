"""Admin of sources: the credential is never displayed, only whether one is stored."""

from __future__ import annotations

from django.contrib import admin

from .models import Source, SourceFile, SyncRun


class SourceFileInline(admin.TabularInline):
    model = SourceFile
    fields = ["path", "deck", "commit", "removed"]
    readonly_fields = ["path", "deck", "commit", "removed"]
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "kind", "url", "branch", "enabled", "last_synced_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "url", "owner__username"]
    readonly_fields = ["has_credential", "last_commit", "last_synced_at", "last_error"]
    exclude = ["credential_encrypted"]
    raw_id_fields = ["owner"]
    inlines = [SourceFileInline]

    @admin.display(boolean=True, description="Credential stored")
    def has_credential(self, obj: Source) -> bool:
        return obj.has_credential


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["source", "status", "trigger", "commit", "created", "updated", "created_at"]
    list_filter = ["status", "trigger"]
    raw_id_fields = ["source", "job"]
    readonly_fields = ["files_changed", "warnings"]
