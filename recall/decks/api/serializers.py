"""Serializers of the decks API: they validate input and shape output; services do the writes."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from recall.core.ids import MAX_ID
from recall.decks import tags as tag_rules
from recall.decks.importers.base import ImportOptions
from recall.decks.limits import FieldTooLong, check_card_text
from recall.decks.models import Card, CardKind, Deck, Note, Tag
from recall.decks.prompts import prompt_label
from recall.decks.selectors import deck_is_readable
from recall.decks.services.cards import BULK_ACTIONS, MAX_BULK_CARDS
from recall.decks.tags import TAG_MAX_LENGTH
from recall.decks.uploads import upload_limit
from recall.jobs.models import Job

MAX_PER_DAY = 99999
MAX_POSITION = 2**31 - 1
MAX_TAGS_PER_CARD = 50


def _request_user(serializer: serializers.BaseSerializer) -> Any:
    return serializer.context["request"].user


class DeckSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    is_owner = serializers.SerializerMethodField()
    card_count = serializers.IntegerField(
        read_only=True, help_text="Cards in the deck, archived ones excluded."
    )
    slug = serializers.SlugField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Short name, unique among your decks; made from the title when left empty.",
    )
    new_cards_per_day = serializers.IntegerField(min_value=0, max_value=MAX_PER_DAY, default=20)
    reviews_per_day = serializers.IntegerField(min_value=0, max_value=MAX_PER_DAY, default=200)
    bury_siblings = serializers.BooleanField(
        default=True,
        help_text="Once one card of a note is answered, its other cards wait until the next "
        "study day.",
    )

    class Meta:
        model = Deck
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "visibility",
            "owner",
            "is_owner",
            "card_count",
            "source_name",
            "new_cards_per_day",
            "reviews_per_day",
            "bury_siblings",
            "import_options",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "source_name",
            "import_options",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "import_options": {
                "help_text": "The import options its last import used (only those that "
                "differ from the defaults); a re-import starts from them."
            }
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_owner(self, deck: Deck) -> bool:
        return bool(deck.owner_id == _request_user(self).pk)

    def validate_title(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A deck needs a title.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The slug defaults to the title's, and must be free among the owner's decks.
        slug = attrs.get("slug")
        if not slug and (self.instance is None or "slug" in attrs):
            title = attrs.get("title") or (self.instance.title if self.instance else "")
            slug = slugify(title)[:200]
            if not slug:
                raise serializers.ValidationError(
                    {"slug": ["Give a slug made of letters or digits: the title has none."]}
                )
        if slug:
            owner = self.instance.owner if self.instance else _request_user(self)
            clash = Deck.objects.filter(owner=owner, slug=slug)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"slug": [f"You already have a deck with the slug '{slug}'."]}
                )
            attrs["slug"] = slug
        return attrs


class DeckCopySerializer(serializers.Serializer):
    """Nothing to send: the copy belongs to the requesting user."""


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


class JobSerializer(serializers.ModelSerializer):
    # A plain id column on the job (jobs sit below decks), shown as the deck's id as before.
    deck = serializers.IntegerField(source="deck_id", read_only=True, allow_null=True)
    target_deck_slug = serializers.CharField(
        read_only=True, help_text="The deck the import was aimed at; empty for a new deck."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "filename",
            "target_deck_slug",
            "import_options",
            "deck",
            "progress",
            "total",
            "message",
            "result",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class TagNamesField(serializers.ListField):
    """Tags by name: a list of strings in and out; unknown names are created for the owner."""

    child = serializers.CharField(max_length=TAG_MAX_LENGTH)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TAGS_PER_CARD)
        super().__init__(**kwargs)

    def to_representation(self, data: Any) -> list[str]:
        # `.all()` is served by the viewset's prefetch_related("tags").
        return [tag.name for tag in data.all()]

    def to_internal_value(self, data: Any) -> list[str]:
        names = super().to_internal_value(data)
        # Looked up on the module so the one rule stays swappable (tests prove every entry
        # point follows it).
        try:
            cleaned = tag_rules.tag_names_clean(names, strict=True)
        except tag_rules.TagNameTooLong as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return cleaned


class NoteCardSerializer(serializers.Serializer):
    """One card of a note, as listed with the note."""

    id = serializers.IntegerField()
    ordinal = serializers.IntegerField(help_text="1 forward, 2 backward, or the cloze number.")
    # The metaclass takes declared fields off the class: no clash with Field.label.
    label = serializers.CharField(help_text='"forward", "backward" or "cloze N".')  # type: ignore[assignment]
    is_archived = serializers.BooleanField()


def note_cards(note: Note) -> list[dict[str, Any]]:
    """The note's cards, from its prefetched ``cards`` (ordinal order)."""
    return [
        {
            "id": card.pk,
            "ordinal": card.ordinal,
            "label": prompt_label(note.kind, card.ordinal),
            "is_archived": card.is_archived,
        }
        for card in sorted(note.cards.all(), key=lambda c: c.ordinal)
    ]


class NoteSerializer(serializers.ModelSerializer):
    """A note, read and written; the HTML is rendered by the server from the Markdown.

    ``cards`` lists the cards the note generates (read-only): one for a basic note, two
    for a reversed one, one per cloze number. Studying and grading use the card ids.
    """

    deck = serializers.PrimaryKeyRelatedField(
        queryset=Deck.objects.all(), help_text="The deck (yours) the note belongs to."
    )
    tags = TagNamesField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
    # Their length limit (RECALL_MAX_FIELD_KB, in UTF-8 bytes) is checked below.
    question = serializers.CharField()
    answer = serializers.CharField(allow_blank=True, required=False)
    kind = serializers.ChoiceField(choices=CardKind.choices, required=False)
    cards = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "deck",
            "position",
            "kind",
            "cards",
            "question",
            "answer",
            "question_html",
            "answer_html",
            "tags",
            "is_archived",
            "source_file",
            "source_line",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "question_html",
            "answer_html",
            "source_file",
            "source_line",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(NoteCardSerializer(many=True))
    def get_cards(self, note: Note) -> list[dict[str, Any]]:
        return note_cards(note)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # A note stays in its deck: moving it is a copy, not an edit.
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["deck"].read_only = True
        return fields

    def validate_question(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A note needs a question.")
        return _within_field_limit(value, "question")

    def validate_answer(self, value: str) -> str:
        return _within_field_limit(value, "answer")

    def validate_deck(self, deck: Deck) -> Deck:
        user = _request_user(self)
        if deck.owner_id != user.pk:
            if not deck_is_readable(user, deck):
                # Someone else's private deck does not exist, as far as this user knows.
                raise serializers.ValidationError(
                    f'Invalid pk "{deck.pk}" - object does not exist.'
                )
            # Visible but not theirs: refused like any other write to it (403, not 400).
            raise exceptions.PermissionDenied("You can only add notes to your own decks.")
        return deck


class CardSerializer(serializers.ModelSerializer):
    """A card: one prompt of a note, the unit that is studied (its text comes from the note).

    Only the flags change here: ``suspended`` keeps the card out of study, ``flagged``
    marks it for the owner. The text is the note's: edit it at /api/v1/notes/.
    """

    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    buried = serializers.BooleanField(
        required=False,
        help_text="Write true to bury the card until your next study day, false to unbury it; "
        "reads whether it is buried now.",
    )

    class Meta:
        model = Card
        fields = [
            "id",
            "note",
            "deck",
            "ordinal",
            "label",
            "question",
            "answer",
            "question_html",
            "answer_html",
            "is_archived",
            "suspended",
            "flagged",
            "buried",
            "buried_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "buried_until",
            "note",
            "deck",
            "ordinal",
            "question",
            "answer",
            "question_html",
            "answer_html",
            "is_archived",
            "created_at",
            "updated_at",
        ]

    def get_label(self, card: Card) -> str:
        return prompt_label(card.note.kind, card.ordinal)

    def to_representation(self, instance: Card) -> dict[str, Any]:
        data = super().to_representation(instance)
        # A time that has passed is no burial any more: the card is back in study.
        if not data["buried"]:
            data["buried_until"] = None
        return data


class CardBulkSerializer(serializers.Serializer):
    """One action on many of your cards (``recall.decks.services.cards_bulk``)."""

    action = serializers.ChoiceField(choices=list(BULK_ACTIONS))
    cards = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_BULK_CARDS,
        help_text="Card ids; those of cards that are not yours are ignored.",
    )
    tags = TagNamesField(required=False, help_text="For tag and untag: tag names.")
    deck = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="For move: one of your decks."
    )


class CardBulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    cards = serializers.IntegerField(
        help_text="Cards changed (suspend, unsuspend), or cards of the notes acted on."
    )
    notes = serializers.IntegerField(help_text="Notes tagged, untagged, moved or deleted.")


class CopyUpdateSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Notes new in the original, added.")
    updated = serializers.IntegerField(help_text="Notes the author changed, updated.")
    archived = serializers.IntegerField(help_text="Notes the author removed, archived.")


class TagSerializer(serializers.ModelSerializer):
    card_count = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=TAG_MAX_LENGTH)

    class Meta:
        model = Tag
        fields = ["id", "name", "card_count"]

    def validate_name(self, value: str) -> str:
        # The one tag rule (spaces become hyphens...), so the clash is checked on the name
        # that would be stored.
        try:
            cleaned = tag_rules.tag_names_clean([value], strict=True)
        except tag_rules.TagNameTooLong as exc:
            raise serializers.ValidationError(str(exc)) from None
        value = cleaned[0] if cleaned else ""
        if not value:
            raise serializers.ValidationError("A tag needs a name.")
        clash = Tag.objects.filter(owner=_request_user(self), name=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f"You already have a tag named '{value}'.")
        return value


def _within_field_limit(text: str, field: str) -> str:
    try:
        check_card_text(text, field=field)
    except FieldTooLong as exc:
        raise serializers.ValidationError(exc.message[:1].upper() + exc.message[1:]) from None
    return text
