"""The admin lists card states and the review log, and never edits the log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recall.study import services
from recall.study.models import ReviewLog
from tests.factories import UserFactory


@pytest.mark.django_db
def test_admin_lists_states_and_logs_read_only(client, user, cards):
    services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=1)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:study_cardstate_changelist")).status_code == 200
    assert client.get(reverse("admin:study_reviewlog_changelist")).status_code == 200
    log = ReviewLog.objects.get()
    response = client.post(reverse("admin:study_reviewlog_delete", args=[log.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert ReviewLog.objects.filter(pk=log.pk).exists()
