"""factory_boy factories for the models tests build most often."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from recall.accounts.models import User
from recall.decks.cards import cards_sync
from recall.decks.models import Card, Deck, Note, Tag, Visibility


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class DeckFactory(DjangoModelFactory):
    class Meta:
        model = Deck

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Deck {n}")
    slug = factory.Sequence(lambda n: f"deck-{n}")
    visibility = Visibility.PRIVATE


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class NoteFactory(DjangoModelFactory):
    """A saved note with its cards made (as every service that writes a note does)."""

    class Meta:
        model = Note
        skip_postgeneration_save = True

    deck = factory.SubFactory(DeckFactory)
    position = factory.Sequence(lambda n: n)
    question = factory.Sequence(lambda n: f"What is concept number {n}?")
    answer = "It is explained with `code` and **bold** text."

    @factory.post_generation
    def with_cards(obj: Note, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            cards_sync([obj])


class CardFactory(factory.Factory):
    """The first card of a new note: a basic note unless ``kind`` says otherwise."""

    class Meta:
        model = Card

    deck = factory.SubFactory(DeckFactory)
    position = factory.Sequence(lambda n: n)
    question = factory.Sequence(lambda n: f"What is concept number {n}?")
    answer = "It is explained with `code` and **bold** text."

    @classmethod
    def _build(cls, model_class: type[Card], *args: object, **kwargs: object) -> Card:
        raise NotImplementedError("a card comes from a saved note: use CardFactory()")

    @classmethod
    def _create(cls, model_class: type[Card], *args: object, **kwargs: object) -> Card:
        tags = kwargs.pop("tags", None)
        note = NoteFactory(**kwargs)
        if tags:
            note.tags.set(tags)  # type: ignore[arg-type]
        return note.cards.order_by("ordinal").first()  # type: ignore[return-value]
