"""Serializers of the search API: the query parameters, one hit, the paginated answer."""

from __future__ import annotations

from rest_framework import serializers

from ..selectors import MODES


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(trim_whitespace=True)
    deck = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tag = serializers.CharField(required=False, allow_blank=True, max_length=100)
    mode = serializers.ChoiceField(choices=MODES, required=False, allow_blank=True)


class SearchDeckSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="deck_id")
    slug = serializers.CharField(source="deck_slug")
    title = serializers.CharField(source="deck_title")


class SearchHitSerializer(serializers.Serializer):
    card_id = serializers.IntegerField()
    score = serializers.FloatField(
        help_text="Relevance; higher is better, comparable within one search."
    )
    question = serializers.CharField()
    question_snippet = serializers.CharField(
        help_text="HTML: the card's text, escaped, with <mark> around the matches."
    )
    answer_snippet = serializers.CharField(
        help_text="HTML: the card's text, escaped, with <mark> around the matches."
    )
    deck = SearchDeckSerializer(source="*")
    url = serializers.CharField(help_text="The card's web page.")


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Cards that match; a lower bound when count_exact is false."
    )
    count_exact = serializers.BooleanField(
        help_text=(
            "False when more cards match than are ranked (PostgreSQL ranks at most "
            "SEARCH_RANK_WINDOW): the hits are the best of the first count matches."
        )
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    query = serializers.CharField()
    mode = serializers.ChoiceField(
        choices=MODES, help_text="How the hits were matched: lexical, semantic or hybrid."
    )
    corrected_query = serializers.CharField(
        help_text="Not empty when misspelt words were corrected (PostgreSQL backend)."
    )
    results = SearchHitSerializer(many=True)
