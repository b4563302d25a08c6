"""Admin for card states, the (read-only) review log and the (read-only) daily counts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CardState, DailyReviewCount, Exam, ReviewLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows and never adds, edits or deletes them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CardState)
class CardStateAdmin(admin.ModelAdmin):
    list_display = ("user", "card", "state", "due", "stability", "difficulty", "reps", "lapses")
    list_filter = ("state",)
    search_fields = ("user__username", "card__question")
    raw_id_fields = ("user", "card", "deck")
    date_hierarchy = "due"


@admin.register(ReviewLog)
class ReviewLogAdmin(ReadOnlyAdmin):
    """The log is append-only: the admin shows it and never edits it."""

    list_display = ("reviewed_at", "user", "card", "grade", "state_before", "duration_ms")
    list_filter = ("grade", "state_before")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "card", "deck")
    date_hierarchy = "reviewed_at"


@admin.register(DailyReviewCount)
class DailyReviewCountAdmin(ReadOnlyAdmin):
    """Kept by grades and undos; an edit here would make the daily limits wrong."""

    list_display = ("day_start", "user", "deck", "new_cards", "reviews", "last_reviewed_at")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "deck")
    date_hierarchy = "day_start"


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ("date", "user", "deck", "target_retention", "updated_at")
    search_fields = ("user__username", "deck__title")
    raw_id_fields = ("user", "deck")
    date_hierarchy = "date"
