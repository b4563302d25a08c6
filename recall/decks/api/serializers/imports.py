"""Serializers of imports: the import options, the upload and its preview (dry run)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from rest_framework import serializers

from recall.decks.importers.base import ImportOptions
from recall.decks.uploads import upload_limit


class _GivenBoolean(serializers.BooleanField):
    """A boolean that is absent when not sent, even in a form (not False like a checkbox)."""

    default_empty_html = serializers.empty


def _separator(help_text: str) -> serializers.CharField:
    # The rule is ImportOptions.from_dict's (run in validate); repeated here for the schema.
    return serializers.CharField(
        required=False,
        trim_whitespace=False,
        min_length=1,
        max_length=8,
        validators=[
            RegexValidator(
                r"^[^\n\x00]*[^\s\x00][^\n\x00]*$", "Give 1 to 8 characters on one line."
            )
        ],
        help_text=help_text,
    )


IMPORT_OPTION_FIELDS = [f.name for f in dataclass_fields(ImportOptions)]


class ImportOptionsSerializer(serializers.Serializer):
    """The import options; those not sent come from the deck's last import, else defaults."""

    inline_separator = _separator("Default `::`.")
    inline_reversed_separator = _separator("Default `:::`.")
    multiline_separator = _separator("Default `?`, on a line of its own.")
    multiline_reversed_separator = _separator("Default `??`, on a line of its own.")
    cloze_highlight = _GivenBoolean(required=False, help_text="==deletions== (default true).")
    cloze_bold = _GivenBoolean(required=False, help_text="**deletions** (default false).")
    cloze_curly = _GivenBoolean(
        required=False, help_text="{{deletions}} (default false; {{c1::…}} is always read)."
    )
    headings_as_cards = _GivenBoolean(
        required=False,
        allow_null=True,
        help_text="true, false, or null (default): decided from the file.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = {name: attrs[name] for name in IMPORT_OPTION_FIELDS if name in attrs}
        try:
            ImportOptions.from_dict(given)
        except ValueError as exc:
            # The message starts with the setting's name: the error is shown against it.
            name = str(exc).split(" ", 1)[0]
            key = name if name in IMPORT_OPTION_FIELDS else "non_field_errors"
            raise serializers.ValidationError({key: [str(exc)]}) from None
        return attrs

    def options(self) -> dict[str, Any]:
        return {n: self.validated_data[n] for n in IMPORT_OPTION_FIELDS if n in self.validated_data}


class DeckImportSerializer(ImportOptionsSerializer):
    file = serializers.FileField(
        help_text="A .md/.markdown/.txt note file, a .csv/.tsv, a .zip of them, or an .apkg."
    )
    deck_slug = serializers.SlugField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Import into (or re-import over) your deck with this slug.",
    )

    def validate_file(self, value: Any) -> Any:
        limit = upload_limit(value.name or "")
        if value.size > limit:
            raise serializers.ValidationError(
                f"The file is {filesizeformat(value.size)}; the limit is {filesizeformat(limit)}."
            )
        return value


class SkippedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    text = serializers.CharField()
    reason = serializers.CharField()


class FilePreviewSerializer(serializers.Serializer):
    name = serializers.CharField()
    deck_title = serializers.CharField()
    deck_id = serializers.IntegerField(allow_null=True, help_text="null: a new deck.")
    cards = serializers.IntegerField()
    by_syntax = serializers.DictField(child=serializers.IntegerField())
    skipped = SkippedLineSerializer(many=True)
    options = serializers.DictField()


class ImportPreviewSerializer(serializers.Serializer):
    """What an import would do (``?dry_run=1``); nothing is written."""

    filename = serializers.CharField()
    cards = serializers.IntegerField()
    skipped = serializers.IntegerField()
    files = FilePreviewSerializer(many=True)
