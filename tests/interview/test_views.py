"""The interview pages without a browser: start, answer, confirm, report; others' are 404."""

from __future__ import annotations

import re
from typing import Any

import pytest

from recall.interview.models import InterviewSession
from recall.study.models import ReviewLog
from tests.factories import UserFactory

from .conftest import import_flagship

pytestmark = pytest.mark.django_db


def test_a_two_question_interview_through_the_pages(client, lexical):
    user: Any = UserFactory(username="webby")
    deck = import_flagship(user)
    client.force_login(user)
    page = client.get(f"/interview/?deck={deck.pk}")
    assert page.status_code == 200
    assert b"matched by words (lexical)" in page.content
    assert b"pip install -e '.[semantic]'" in page.content

    started = client.post("/interview/", {"decks": [deck.pk], "questions": 2, "time_limit": "60"})
    assert started.status_code == 302
    session = InterviewSession.objects.get(user=user)
    url = f"/interview/{session.pk}/"
    assert started["Location"] == url

    for position, grade in ((1, "2"), (2, "4")):
        question = client.get(url)
        assert b"answer-form" in question.content
        assert b"Time left" in question.content
        client.post(f"{url}answer/", {"position": position, "answer": "Something I remember."})
        scored = client.get(url)
        assert b"Suggested grade" in scored.content
        assert re.search(rb'data-score="\d+"', scored.content)
        done = client.post(f"{url}confirm/", {"position": position, "grade": grade})
        assert done.status_code == 302

    report = client.get(url, follow=True)
    assert report.redirect_chain[-1][0] == f"/interview/{session.pk}/report/"
    assert b"Interview report" in report.content
    assert b"Reread" in report.content
    assert [log.grade for log in ReviewLog.objects.filter(user=user).order_by("id")] == [2, 4]
    assert all(log.typed_answer == "Something I remember." for log in ReviewLog.objects.all())


def test_bad_input_gets_a_message_not_an_error(client, lexical):
    user: Any = UserFactory(username="typo")
    deck = import_flagship(user)
    client.force_login(user)
    client.post("/interview/", {"decks": [deck.pk], "questions": 1})
    session = InterviewSession.objects.get(user=user)
    url = f"/interview/{session.pk}/"
    early = client.post(f"{url}confirm/", {"position": 1, "grade": "3"}, follow=True)
    assert b"Answer the question before confirming" in early.content
    client.post(f"{url}answer/", {"position": 1, "answer": "An answer."})
    bad = client.post(f"{url}confirm/", {"position": 1, "grade": "9"}, follow=True)
    assert b"Pick a grade" in bad.content
    assert b"An answer." in bad.content  # the typed answer is kept
    assert ReviewLog.objects.count() == 0
    too_many = client.post("/interview/", {"questions": 500})
    assert too_many.status_code == 200
    assert b"errorlist" in too_many.content


def test_someone_elses_interview_is_not_found_and_anonymous_users_log_in(client, lexical):
    owner: Any = UserFactory(username="first")
    deck = import_flagship(owner)
    client.force_login(owner)
    client.post("/interview/", {"decks": [deck.pk], "questions": 1})
    session = InterviewSession.objects.get(user=owner)
    client.force_login(UserFactory(username="second"))
    for suffix in ("", "report/"):
        assert client.get(f"/interview/{session.pk}/{suffix}").status_code == 404
    # The other user's private deck is not offered, and cannot be posted either.
    start = client.get("/interview/")
    assert f'value="{deck.pk}"'.encode() not in start.content
    refused = client.post("/interview/", {"decks": [deck.pk], "questions": 1})
    assert refused.status_code == 200
    assert InterviewSession.objects.count() == 1
    client.logout()
    assert client.get("/interview/").status_code == 302
