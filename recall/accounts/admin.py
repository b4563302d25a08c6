"""Admin for users, with Recall's own preferences next to Django's fields."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "Study",
            {
                "fields": (
                    "time_zone",
                    "day_starts_at_hour",
                    "desired_retention",
                    "daily_digest",
                    "fsrs_parameters",
                    "fsrs_parameters_updated_at",
                )
            },
        ),
    )
    list_display = ("username", "email", "is_staff", "daily_digest", "date_joined")
    list_filter = ("is_staff", "is_active", "daily_digest")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be inspected and revoked here; keys are never shown (only digests exist)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    list_filter = ("created_at", "last_used_at")
    search_fields = ("name", "prefix", "user__username")
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "key_digest", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A key must be shown once to its owner; the API and the command do that, the admin can't.
        return False
