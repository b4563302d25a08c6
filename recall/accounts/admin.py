"""Admin for users, with Recall's own preferences next to Django's fields."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


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
