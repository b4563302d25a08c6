"""Forms of the deck pages: deck settings, card editing and the import upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.template.defaultfilters import filesizeformat

from recall.core.exceptions import ApplicationError

from . import tags as tag_rules
from . import uploads
from .limits import FieldTooLong, check_card_text
from .models import Deck, Note
from .prompts import cloze_numbers
from .services import import_options_clean


class DeckForm(forms.ModelForm):
    """A deck's settings; saving goes through deck_update (or deck_create, see below)."""

    class Meta:
        model = Deck
        fields = (
            "title",
            "slug",
            "description",
            "visibility",
            "new_cards_per_day",
            "reviews_per_day",
            "bury_siblings",
        )
        help_texts = {
            "slug": "Short name used in URLs and by re-imports (--deck). "
            "Left empty, it is made from the title.",
            "visibility": "Private: only you. Unlisted: anyone with the link. "
            "Public: listed in the gallery, anyone may copy it.",
            "new_cards_per_day": "New cards introduced each study day.",
            "reviews_per_day": "Most reviews shown each study day.",
            "bury_siblings": "Once one card of a note is answered, its other cards "
            "(the reverse, the other cloze numbers) wait until the next study day.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["slug"].required = False
        for name, top in (("new_cards_per_day", 9999), ("reviews_per_day", 99999)):
            if name in self.fields:
                self.fields[name].max_value = top  # type: ignore[attr-defined]
                self.fields[name].validators.append(MaxValueValidator(top))
                self.fields[name].widget.attrs["max"] = top

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("A deck needs a title.")
        return title

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or ""
        clash = Deck.objects.filter(owner=self.owner, slug=slug).exclude(pk=self.instance.pk)
        if slug and clash.exists():
            raise forms.ValidationError(f"You already have a deck with the slug “{slug}”.")
        return slug


class DeckCreateForm(DeckForm):
    class Meta(DeckForm.Meta):
        fields = ("title", "slug", "description", "visibility")  # type: ignore[assignment]


class NoteForm(forms.ModelForm):
    """Edit a note: its kind, text, tags and deck (one of the editor's own decks)."""

    tags = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Comma-separated, e.g. “django, orm”.",
    )
    deck = forms.ModelChoiceField(
        queryset=Deck.objects.none(),
        required=False,
        empty_label=None,
        help_text="Move the note (its cards, schedule and reviews go along) to another deck.",
    )

    class Meta:
        model = Note
        fields = ("kind", "question", "answer")
        widgets = {
            "question": forms.Textarea(attrs={"rows": 3, "data-preview": "question"}),
            "answer": forms.Textarea(attrs={"rows": 14, "data-preview": "answer"}),
        }
        help_texts = {
            "kind": "Reversed: also asked answer-first. Cloze: write {{c1::hidden text}} "
            "in the question, one card per number.",
            "answer": "Markdown: code blocks with a language are highlighted.",
        }

    def __init__(self, *args: Any, owner: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        if self.instance.pk:
            # Editing: a client that sends no kind keeps the note's.
            self.fields["kind"].required = False
        if "deck" in self.fields:
            if owner is None or not self.instance.pk:
                del self.fields["deck"]
            else:
                field: Any = self.fields["deck"]
                field.queryset = Deck.objects.filter(owner=owner).order_by("title", "pk")
                self.initial.setdefault("deck", self.instance.deck_id)

    def clean_question(self) -> str:
        question = self.cleaned_data["question"].strip()
        if not question:
            raise forms.ValidationError("A card needs a question.")
        return _within_field_limit(question, "question")

    def clean_answer(self) -> str:
        return _within_field_limit(self.cleaned_data["answer"], "answer")

    def clean_tags(self) -> list[str]:
        # Looked up on the module so the one rule stays swappable (tests prove every entry
        # point follows it).
        try:
            return tag_rules.tag_names_clean(
                self.cleaned_data.get("tags", "").split(","), strict=True
            )
        except tag_rules.TagNameTooLong as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        question = cleaned.get("question") or ""
        kind = cleaned.get("kind") or self.instance.kind
        if kind == "cloze" and question and not cloze_numbers(question):
            self.add_error("question", "A cloze note needs at least one {{c1::…}} deletion.")
        elif (
            kind in ("basic", "reversed")
            # An imported note may lack an answer: only a new note or a new kind needs one.
            and (not self.instance.pk or kind != self.instance.kind)
            and not cleaned.get("answer", "").strip()
        ):
            self.add_error("answer", "This kind of note needs an answer.")
        return cleaned


_YES_NO = {"yes": True, "no": False}


def _separator_field(label: str, default: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=8,
        widget=forms.TextInput(attrs={"placeholder": default, "size": 8, "autocomplete": "off"}),
    )


_CHOICES = {
    "cloze_highlight": [("yes", "Yes"), ("no", "No")],
    "cloze_bold": [("yes", "Yes"), ("no", "No")],
    "cloze_curly": [("yes", "Yes"), ("no", "No")],
    "headings_as_cards": [
        ("yes", "Yes"),
        ("no", "No"),
        ("auto", "Auto: not when the file uses card syntax"),
    ],
}


def _choice_field(label: str, name: str) -> forms.ChoiceField:
    # The empty choice ("not given") is added by the form, with the caller's wording.
    return forms.ChoiceField(label=label, required=False, choices=_CHOICES[name])


class ImportOptionsForm(forms.Form):
    """The import options (ImportOptions); a field left empty is not given.

    What "not given" means is the caller's: on the import page, the deck's last import (else
    the default); for a source, the default. ``import_options()`` returns the given ones.
    """

    unset_label = "As last time"
    inline_separator = _separator_field("Inline separator", "::")
    inline_reversed_separator = _separator_field("Inline reversed separator", ":::")
    multiline_separator = _separator_field("Multi-line separator", "?")
    multiline_reversed_separator = _separator_field("Multi-line reversed separator", "??")
    cloze_highlight = _choice_field("Cloze ==highlight==", "cloze_highlight")
    cloze_bold = _choice_field("Cloze **bold**", "cloze_bold")
    cloze_curly = _choice_field("Cloze {{curly}}", "cloze_curly")
    headings_as_cards = _choice_field("Headings are cards", "headings_as_cards")
    OPTION_FIELDS = (
        "inline_separator",
        "inline_reversed_separator",
        "multiline_separator",
        "multiline_reversed_separator",
        "cloze_highlight",
        "cloze_bold",
        "cloze_curly",
        "headings_as_cards",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.OPTION_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = [("", self.unset_label), *_CHOICES[name]]
            else:
                field.help_text = f"Empty: {self.unset_label.lower()}."

    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.OPTION_FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.OPTION_FIELDS]

    def import_options(self) -> dict[str, Any]:
        """The options given (validated by clean), as ImportOptions names."""
        given: dict[str, Any] = {}
        for name in self.OPTION_FIELDS:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            given[name] = None if value == "auto" else _YES_NO.get(str(value), value)
        return given

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            import_options_clean(self.import_options())
        except ApplicationError as exc:
            # "import options: inline_separator must be ...": shown against that field.
            name = exc.message.removeprefix("import options: ").split(" ", 1)[0]
            self.add_error(name if name in self.OPTION_FIELDS else None, exc.message)
        return cleaned


class ImportForm(ImportOptionsForm):
    field_order = ["file", "deck_slug"]
    file = forms.FileField(
        label="Notes file",
    )
    deck_slug = forms.SlugField(
        label="Deck slug",
        required=False,
        max_length=200,
        help_text="Optional: the slug of one of your decks to import into. "
        "Empty: one deck per file, named after it (re-imports update it).",
    )

    def __init__(self, *args: Any, owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["file"].widget.attrs["accept"] = ",".join(uploads.supported_extensions())
        notes, package = (filesizeformat(uploads.upload_limit(name)) for name in ("x.md", "x.apkg"))
        self.fields["file"].help_text = (
            f"Markdown (.md), a .zip of Markdown files or CSV/TSV, up to {notes}; "
            f"or an Anki .apkg, up to {package}."
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # The same cheap checks (extension, size) the service makes, shown next to the field.
        try:
            uploads.check_upload(upload.name or "", upload.size or 0)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload

    def clean_deck_slug(self) -> str:
        slug: str = self.cleaned_data.get("deck_slug") or ""
        if slug and not Deck.objects.filter(owner=self.owner, slug=slug).exists():
            raise forms.ValidationError(f"You have no deck with the slug “{slug}”.")
        return slug


class MarkdownPreviewForm(forms.Form):
    text = forms.CharField(required=False, strip=False)

    def clean_text(self) -> str:
        # The preview shows what saving would store, so it takes no more than a card may hold.
        return _within_field_limit(self.cleaned_data["text"], "text")


def _within_field_limit(text: str, field: str) -> str:
    try:
        check_card_text(text, field=field)
    except FieldTooLong as exc:
        raise forms.ValidationError(exc.message[:1].upper() + exc.message[1:]) from None
    return text


class NoteCreateForm(NoteForm):
    """A new note from the deck page: its kind, then the same fields as the editor."""

    class Meta(NoteForm.Meta):
        widgets = {
            **NoteForm.Meta.widgets,
            "question": forms.Textarea(
                attrs={"rows": 3, "data-preview": "question", "data-new-note": "question"}
            ),
            "answer": forms.Textarea(attrs={"rows": 6, "data-preview": "answer"}),
        }
