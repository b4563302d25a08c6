"""factory_boy factories for the models tests build most often."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from recall.accounts.models import User
from recall.decks.models import Card, Deck, Tag, Visibility


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


class CardFactory(DjangoModelFactory):
    class Meta:
        model = Card

    deck = factory.SubFactory(DeckFactory)
    position = factory.Sequence(lambda n: n)
    question = factory.Sequence(lambda n: f"What is concept number {n}?")
    answer = "It is explained with `code` and **bold** text."
