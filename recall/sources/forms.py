"""Forms of the sources pages: adding a source (its secret is asked for, never shown)."""

from __future__ import annotations

from typing import Any

from django import forms

from recall.decks.forms import ImportOptionsForm

from .models import Forge, SourceKind


class SourceForm(ImportOptionsForm):
    """A source's settings, and the import options every file of it is read with."""

    unset_label = "Default"
    field_order = [
        "name",
        "kind",
        "url",
        "branch",
        "subfolder",
        "glob",
        "forge",
        "username",
        "secret",
        "interval_minutes",
    ]
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=SourceKind.choices, initial=SourceKind.GIT, label="Kind")
    url = forms.CharField(
        max_length=500,
        label="Repository URL or folder",
        help_text="https://…, ssh://… or git@host:owner/repo.git; or a folder on this server "
        "that the administrator allowed.",
    )
    branch = forms.CharField(max_length=200, initial="main", required=False)
    subfolder = forms.CharField(max_length=300, required=False, label="Sub-folder")
    glob = forms.CharField(max_length=200, initial="**/*.md", label="Files (pattern)")
    forge = forms.ChoiceField(choices=Forge.choices, initial=Forge.AUTO, label="Web view")
    username = forms.CharField(max_length=100, required=False, label="User name (HTTPS)")
    secret = forms.CharField(
        required=False,
        strip=False,
        label="Deploy token or SSH private key",
        help_text="Stored encrypted; never shown again.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    interval_minutes = forms.IntegerField(
        min_value=1, max_value=7 * 24 * 60, initial=15, label="Sync every (minutes)"
    )

    def source_fields(self) -> dict[str, Any]:
        """The cleaned data as source_create/source_update take it."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.OPTION_FIELDS}
        data["import_options"] = self.import_options()
        return data

    @classmethod
    def initial_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Form values of stored import options (the inverse of import_options())."""
        shown = {True: "yes", False: "no", None: "auto"}
        return {
            name: shown[value] if value is None or isinstance(value, bool) else value
            for name, value in (options or {}).items()
            if name in cls.OPTION_FIELDS
        }


class SourceEditForm(SourceForm):
    """The same options, except the kind; a blank secret keeps the stored one."""

    enabled = forms.BooleanField(required=False, label="Sync on schedule")
    forget_secret = forms.BooleanField(required=False, label="Remove the stored credential")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["kind"]
        self.fields["secret"].help_text = "Leave empty to keep the stored one."
