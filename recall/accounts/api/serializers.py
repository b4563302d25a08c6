"""Serializers of the accounts API: the current user's preferences and their API tokens."""

from __future__ import annotations

import zoneinfo
from functools import cache

from rest_framework import serializers

from ..models import ApiToken, User


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class MeSerializer(serializers.ModelSerializer):
    day_starts_at_hour = serializers.IntegerField(
        min_value=0, max_value=23, help_text="Local hour at which a new study day begins."
    )
    desired_retention = serializers.FloatField(
        min_value=0.7,
        max_value=0.99,
        help_text="Probability of recall the scheduler aims for (0.7 to 0.99).",
    )
    time_zone = serializers.CharField(max_length=64, help_text="An IANA name, e.g. Europe/Paris.")
    current_password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        max_length=4096,
        style={"input_type": "password"},
        help_text="Your password: needed only to change `email` (the old address is told).",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "time_zone",
            "day_starts_at_hour",
            "desired_retention",
            "daily_digest",
            "date_joined",
            "current_password",
        ]
        read_only_fields = ["id", "username", "date_joined"]

    def validate_time_zone(self, value: str) -> str:
        if value not in _time_zones():
            raise serializers.ValidationError(f"'{value}' is not a known time zone.")
        return value


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at"]

    name = serializers.CharField(max_length=100, help_text="What the token is for.")


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The secret; shown only in this response."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
