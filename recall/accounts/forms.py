"""Forms of the account pages: sign up and the e-mail and study settings of a profile."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=True, help_text="For the welcome note and password resets; never shown to others."
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "email")

    # No check that the address is free: saying so would tell anyone whether an address has
    # an account. The address's owner is told instead (accounts.emails.welcome_email_send).


class ProfileForm(forms.ModelForm):
    current_password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your e-mail address.",
    )
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Your study day and the dashboard follow this time zone.",
    )
    desired_retention = forms.FloatField(
        min_value=0.7,
        max_value=0.99,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text="Share of cards you aim to remember when they come due (0.70 to 0.99). "
        "Higher means more reviews.",
    )

    field_order = ["email", "current_password"]

    class Meta:
        model = User
        fields = ("email", "time_zone", "day_starts_at_hour", "desired_retention", "daily_digest")
        labels = {
            "day_starts_at_hour": "New study day starts at (hour)",
            "daily_digest": "Send me a daily e-mail with the cards due",
        }
        help_texts = {
            "day_starts_at_hour": "0 to 23, local time. Reviews before it count as the day before."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["day_starts_at_hour"].widget.attrs.update({"min": 0, "max": 23})

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        if taken:
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for (a script, a device), to tell your tokens apart.",
    )
