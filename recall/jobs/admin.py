"""Admin of background jobs."""

from __future__ import annotations

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "filename", "owner", "status", "progress", "total", "created_at")
    list_filter = ("kind", "status", "created_at")
    search_fields = ("filename", "owner__username", "message")
    raw_id_fields = ("owner",)
