"""The custom User model, in place from the first migration."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class User(AbstractUser):
    email = models.EmailField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Hour (local time) at which a study day ends, as in Anki.
    day_starts_at_hour = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(23)]
    )
    desired_retention = models.FloatField(
        default=0.9, validators=[MinValueValidator(0.7), MaxValueValidator(0.99)]
    )
    # FSRS parameters fitted from the user's own reviews; empty means the defaults.
    fsrs_parameters = models.JSONField(default=list, blank=True)
    fsrs_parameters_updated_at = models.DateTimeField(null=True, blank=True)
    daily_digest = models.BooleanField(
        default=False, help_text="Send an e-mail each morning with the number of cards due."
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() leaves the new raw password in _password until the save; Django's
        # own re-hash at log-in clears it first, so this sees real changes only (a password
        # change, a reset, the admin, `changepassword`). A changed password ends every API
        # token, as it ends every other session (their stored hash no longer matches).
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()


class ApiToken(models.Model):
    """A named API key of a user; only a SHA-256 digest of the key is stored.

    Several per user (one per script or device), each revocable on its own;
    the key itself is shown once, when it is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the key, so a user can tell their keys apart.
    prefix = models.CharField(max_length=8)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"
