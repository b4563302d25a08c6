"""Decks, notes and their cards, tags, references and links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from recall.core.models import TimeStampedModel

from .prompts import prompt_label
from .rendering import render_card_fields


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private"
    UNLISTED = "unlisted", "Unlisted"
    PUBLIC = "public", "Public"


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="tag_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class Deck(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decks"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE, db_index=True
    )
    # File name the deck was imported from; re-imports of that name update this deck.
    source_name = models.CharField(max_length=255, blank=True, db_index=True)
    new_cards_per_day = models.PositiveIntegerField(default=20)
    reviews_per_day = models.PositiveIntegerField(default=200)
    # Once one card of a note is answered, its other cards wait until the next study day.
    bury_siblings = models.BooleanField(default=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    # The import options (ImportOptions.to_dict(): only non-defaults) its last import used;
    # a re-import starts from them, so a personal separator need not be given every time.
    import_options = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="deck_slug_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decks:deck-detail", kwargs={"pk": self.pk})


class CardKind(models.TextChoices):
    BASIC = "basic", "Basic"
    REVERSED = "reversed", "Basic and reversed"
    CLOZE = "cloze", "Cloze"


class Note(TimeStampedModel):
    """What a person wrote: a question and answer, or a cloze text. Search indexes notes.

    A note generates its cards (``recall.decks.prompts``): one for a basic note, two for a
    reversed one, one per deletion number for a cloze. Re-imports find a note by
    ``source_key`` and skip it when ``content_hash`` is unchanged.
    """

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="notes")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=CardKind.choices, default=CardKind.BASIC)
    question = models.TextField()
    answer = models.TextField(blank=True)
    # Rendered once on save, never per request.
    question_html = models.TextField(blank=True, editable=False)
    answer_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes")
    source_file = models.CharField(max_length=500, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)
    # Where the note stood in its notes file: the headings (or parent bullets) above it,
    # outermost first, one a line (a heading is one line). Shown as a breadcrumb above the
    # card and searched with it. Text, not JSON, so that imports keep their fast bulk insert.
    context = models.TextField(blank=True, default="", db_default="")
    # Identity within the deck for re-import (normalised question), and a hash of the content.
    source_key = models.CharField(max_length=64, db_index=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    is_archived = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["deck_id", "position", "id"]
        indexes = [models.Index(fields=["deck", "is_archived", "position"])]

    def __str__(self) -> str:
        return self.question[:80]

    def save(self, *args: object, **kwargs: object) -> None:
        # Rendering is the costly part of a save: only when the Markdown may have changed.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"question", "answer"} & set(update_fields):  # type: ignore[call-overload]
            render_card_fields(self)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("decks:card-detail", kwargs={"pk": self.pk})

    @property
    def breadcrumb(self) -> list[str]:
        """The context's headings, outermost first."""
        return [part for part in self.context.split("\n") if part.strip()]

    def live_cards(self) -> list[tuple[str, Card]]:
        """(label, card) of the cards the note generates now (uses prefetched cards)."""
        cards = sorted((c for c in self.cards.all() if not c.is_archived), key=lambda c: c.ordinal)
        return [(prompt_label(self.kind, c.ordinal), c) for c in cards]


class Card(TimeStampedModel):
    """One prompt of a note, the unit that is studied: its FSRS state and reviews hang here.

    ``question``/``answer`` and their HTML are this prompt's front and back, derived from
    the note (never edited on their own). ``deck``, ``position`` and ``is_archived`` are
    the note's, copied so that the study queue reads one table and its indexes.
    """

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="cards")
    # 1 forward, 2 backward (reversed notes), or the cloze number.
    ordinal = models.PositiveSmallIntegerField(default=1)
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    position = models.PositiveIntegerField(default=0)
    question = models.TextField()
    answer = models.TextField(blank=True)
    question_html = models.TextField(blank=True, editable=False)
    answer_html = models.TextField(blank=True, editable=False)
    # Archived with its note, or when the note no longer generates this prompt.
    is_archived = models.BooleanField(default=False, db_index=True)
    suspended = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    # Buried: out of study until this instant (the owner's next study day), then back.
    buried_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deck_id", "position", "ordinal", "id"]
        indexes = [
            models.Index(fields=["deck", "is_archived", "position"]),
            # The new-card queue: a deck's live cards in study order. Partial, so that the
            # planner walks it in order and stops at the first unstudied card, instead of
            # reading the whole deck and sorting it (issue 15).
            models.Index(
                fields=["deck", "position", "ordinal", "id"],
                condition=models.Q(is_archived=False, suspended=False),
                name="card_live_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["note", "ordinal"], name="card_unique_ordinal")
        ]

    def __str__(self) -> str:
        return self.question[:80]

    def get_absolute_url(self) -> str:
        return reverse("decks:card-detail", kwargs={"pk": self.note_id})

    @property
    def buried(self) -> bool:
        """Buried now: out of study until ``buried_until``, then back on its own."""
        return self.buried_until is not None and self.buried_until > timezone.now()


class Reference(models.Model):
    """An item of a deck's reference list (a section of links in the notes)."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000)

    class Meta:
        ordering = ["deck_id", "position", "id"]

    def __str__(self) -> str:
        return self.title or self.url


class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "OK"
    REDIRECT = "redirect", "Redirects"
    BROKEN = "broken", "Broken"
    ERROR = "error", "Unreachable"


class Link(models.Model):
    """A URL found in a deck's cards or references; checked by a background job."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=2000)
    notes = models.ManyToManyField(Note, blank=True, related_name="links")
    status = models.CharField(
        max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED, db_index=True
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["url"]
        constraints = [models.UniqueConstraint(fields=["deck", "url"], name="link_unique_per_deck")]

    def __str__(self) -> str:
        return self.url
