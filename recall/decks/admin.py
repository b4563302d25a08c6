"""Admin for decks, notes and their cards, tags, references, links and import jobs."""

from __future__ import annotations

from django.contrib import admin

from .models import Card, Deck, Link, Note, Reference, Tag


class NoteInline(admin.TabularInline):
    model = Note
    fields = ("position", "question", "kind", "is_archived")
    extra = 0
    show_change_link = True


class CardInline(admin.TabularInline):
    """A note's cards: their prompts are derived from the note, so only flags are edited."""

    model = Card
    fields = ("ordinal", "question", "is_archived", "suspended", "flagged")
    readonly_fields = ("ordinal", "question", "is_archived")
    extra = 0
    can_delete = False
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
    inlines = [ReferenceInline, NoteInline]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("question", "deck", "position", "kind", "is_archived", "updated_at")
    list_filter = ("kind", "is_archived", "deck__visibility")
    search_fields = ("question", "answer", "deck__title")
    raw_id_fields = ("deck",)
    filter_horizontal = ("tags",)
    readonly_fields = ("question_html", "answer_html", "content_hash", "source_key")
    inlines = [CardInline]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ("question", "deck", "ordinal", "is_archived", "suspended", "flagged")
    list_filter = ("is_archived", "suspended", "flagged")
    search_fields = ("question", "deck__title")
    raw_id_fields = ("deck", "note")
    readonly_fields = ("question", "answer", "question_html", "answer_html", "ordinal")


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
    filter_horizontal = ("notes",)
