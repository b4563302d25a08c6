"""Receivers of the study app: keep each user's cached statistics, exams and day queues
fresh, and their card states' copy of a card's deck in step when notes move."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from recall.decks.models import Card, Deck
from recall.decks.signals import card_schedules_imported, notes_bulk_changed, notes_moved

from .exams import exams_changed
from .models import CardState, Exam
from .queue import queue_grew_for_deck, queue_stale_for_deck, queue_stale_for_decks
from .seeding import states_from_schedules
from .selectors import deck_stats_users, invalidate_stats, invalidate_stats_of
from .signals import card_reviewed, review_undone

# Deck fields that decide who may read a deck, hence whose cached stats may show it.
_ACCESS_FIELDS = {"visibility", "owner", "owner_id"}
_ACCESS_BEFORE = "_study_access_before"


def stats_stale_after_review(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    invalidate_stats(user_id)


def stats_stale_after_import(sender: Any, *, deck_id: int | None = None, **kwargs: Any) -> None:
    # Sent by imports, card edits, archiving and copies. The owner sees new and archived
    # counts at once; other readers of a public deck within the stats cache lifetime
    # (ten minutes). No receiver on Card.save: it would add a query to every card write.
    if deck_id is None:
        return
    owner_id = Deck.objects.filter(pk=deck_id).values_list("owner_id", flat=True).first()
    if owner_id is not None:
        invalidate_stats(owner_id)


def states_follow_moved_notes(
    sender: Any, *, note_ids: list[int], deck_id: int, **kwargs: Any
) -> None:
    # The queue reads CardState.deck (a copy of the card's deck) for per-deck limits.
    CardState.objects.filter(card__note_id__in=note_ids).update(deck_id=deck_id)


def remember_deck_access(
    sender: Any, instance: Deck, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _ACCESS_FIELDS & set(update_fields):
        return
    before = Deck.objects.filter(pk=instance.pk).values_list("visibility", "owner_id").first()
    instance.__dict__[_ACCESS_BEFORE] = before


def stats_stale_after_access_change(
    sender: Any, instance: Deck, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    """A deck made private (or given away) leaves its readers' cached statistics at once,
    not when the cache expires: its title and counts must not outlive the access."""
    before = instance.__dict__.pop(_ACCESS_BEFORE, None)
    if created or raw or before is None or before == (instance.visibility, instance.owner_id):
        return
    deck_id, old_owner = instance.pk, before[1]
    # After commit: stats computed before it would still see the old visibility.
    transaction.on_commit(lambda: invalidate_stats_of({old_owner, *deck_stats_users(deck_id)}))


def stats_stale_after_deck_delete(sender: Any, instance: Deck, **kwargs: Any) -> None:
    # Read now: the deck's study states are deleted with it.
    users = deck_stats_users(instance.pk)
    transaction.on_commit(lambda: invalidate_stats_of(users))


def states_from_imported_schedules(
    sender: Any, *, owner: Any, schedules: dict[int, Any], **kwargs: Any
) -> None:
    states_from_schedules(user=owner, schedules=schedules)


def queue_stale_after_notes_changed(
    sender: Any, *, deck_id: int | None = None, added_only: bool = False, **kwargs: Any
) -> None:
    # Imports, edits, archiving, copies: cards may have been added or changed. New notes
    # alone (no state, no schedule) leave every review where it was.
    if added_only:
        queue_grew_for_deck(deck_id)
    else:
        queue_stale_for_deck(deck_id)


def queue_stale_after_card_save(sender: Any, instance: Card, **kwargs: Any) -> None:
    # Unsuspended, unburied, moved: a card may have become eligible (no query: a cache write).
    queue_stale_for_deck(instance.deck_id)


def queue_stale_after_deck_change(sender: Any, **kwargs: Any) -> None:
    # Limits, access, a new or deleted deck: the cached scopes are read again (one query
    # each, at their next use; the day queues stay unless their limits changed).
    queue_stale_for_decks()


def exams_stale(sender: Any, instance: Exam, raw: bool = False, **kwargs: Any) -> None:
    # The study queue reads a user's exams from the cache (recall.study.exams).
    exams_changed(instance.user_id)


def connect() -> None:
    """Connect every receiver of this module once (StudyConfig.ready())."""
    card_reviewed.connect(stats_stale_after_review, dispatch_uid="study_stats_after_grade")
    review_undone.connect(stats_stale_after_review, dispatch_uid="study_stats_after_undo")
    notes_bulk_changed.connect(stats_stale_after_import, dispatch_uid="study_stats_after_import")
    notes_moved.connect(states_follow_moved_notes, dispatch_uid="study_states_follow_moved_notes")
    pre_save.connect(
        remember_deck_access, sender=Deck, dispatch_uid="study_stats_deck_access_before"
    )
    post_save.connect(
        stats_stale_after_access_change, sender=Deck, dispatch_uid="study_stats_after_deck_access"
    )
    pre_delete.connect(
        stats_stale_after_deck_delete, sender=Deck, dispatch_uid="study_stats_after_deck_delete"
    )
    card_schedules_imported.connect(
        states_from_imported_schedules, dispatch_uid="study_states_from_imported_schedules"
    )
    notes_bulk_changed.connect(
        queue_stale_after_notes_changed, dispatch_uid="study_queue_after_notes_changed"
    )
    post_save.connect(
        queue_stale_after_card_save, sender=Card, dispatch_uid="study_queue_after_card_save"
    )
    post_save.connect(
        queue_stale_after_deck_change, sender=Deck, dispatch_uid="study_queue_after_deck_save"
    )
    post_delete.connect(
        queue_stale_after_deck_change, sender=Deck, dispatch_uid="study_queue_after_deck_delete"
    )
    post_save.connect(exams_stale, sender=Exam, dispatch_uid="study_exams_after_save")
    post_delete.connect(exams_stale, sender=Exam, dispatch_uid="study_exams_after_delete")
