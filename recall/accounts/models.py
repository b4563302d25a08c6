"""The custom User model, in place from the first migration."""

from __future__ import annotations

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
