"""Admin for decks, cards, tags, references, links and import jobs."""

from __future__ import annotations

from django.contrib import admin

from .models import Card, Deck, Job, Link, Reference, Tag


class CardInline(admin.TabularInline):
    model = Card
    fields = ("position", "question", "kind", "is_archived")
    extra = 0
    show_change_link = True


class ReferenceInline(admin.TabularInline):
    model = Reference
    fields = ("position", "title", "url")
    extra = 0


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "visibility", "source_name", "updated_at")
    list_filter = ("visibility", "created_at")
    search_fields = ("title", "slug", "description", "owner__username")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("owner", "copied_from")
    inlines = [ReferenceInline, CardInline]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ("question", "deck", "position", "kind", "is_archived", "updated_at")
    list_filter = ("kind", "is_archived", "deck__visibility")
    search_fields = ("question", "answer", "deck__title")
    raw_id_fields = ("deck",)
    filter_horizontal = ("tags",)
    readonly_fields = ("question_html", "answer_html", "content_hash", "source_key")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("title", "url", "deck", "position")
    search_fields = ("title", "url", "deck__title")
    raw_id_fields = ("deck",)


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("url", "deck", "status", "http_status", "checked_at")
    list_filter = ("status",)
    search_fields = ("url", "deck__title")
    raw_id_fields = ("deck",)
    filter_horizontal = ("cards",)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "filename", "owner", "status", "progress", "total", "created_at")
    list_filter = ("kind", "status", "created_at")
    search_fields = ("filename", "owner__username", "message")
    raw_id_fields = ("owner", "deck")
