"""Ids beyond 64 bits, unknown API paths and page parameters: a clear 4xx, never a 500.

SQLite's driver cannot bind an int beyond 64 bits (OverflowError); the id fields of the
API, its filters and the web grade form are bounded to the database's range instead.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from recall.core.ids import MAX_ID
from recall.study.models import ReviewLog
from tests.api_support import error_of, token_client
from tests.factories import CardFactory, DeckFactory, UserFactory

pytestmark = pytest.mark.django_db

BEYOND = str(MAX_ID + 1)  # 9223372036854775808, the red team's input
FAR_BEYOND = "9" * 40


@pytest.fixture
def user() -> Any:
    return UserFactory()


@pytest.fixture
def api(user):
    client = token_client(user)
    # A server error must show up as a 500 response here, not as an exception.
    client.raise_request_exception = False
    return client


@pytest.fixture
def card(user) -> Any:
    return CardFactory(deck=DeckFactory(owner=user))


@pytest.mark.parametrize("value", [BEYOND, FAR_BEYOND, "-" + BEYOND])
def test_card_list_deck_filter_beyond_64_bits_is_a_400(api, card, value):
    response = api.get("/api/v1/cards/", {"deck": value})
    assert response.status_code == 400
    assert "deck" in error_of(response)["fields"]


def test_card_list_deck_filter_at_the_top_of_the_range_is_an_empty_list(api, card):
    response = api.get("/api/v1/cards/", {"deck": str(MAX_ID)})
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = api.get("/api/v1/cards/", {"deck": str(card.deck_id)})
    assert [c["id"] for c in response.json()["results"]] == [card.pk]


@pytest.mark.parametrize(
    "body",
    [
        {"card": BEYOND, "grade": 3, "version": 0},
        {"card": BEYOND, "grade": 3},
        {"card": FAR_BEYOND, "grade": 3, "version": 0},
        {"card": "{card}", "grade": 3, "version": BEYOND},
    ],
)
def test_api_grade_with_ids_beyond_64_bits_is_a_400(api, card, body):
    body = {k: str(card.pk) if v == "{card}" else v for k, v in body.items()}
    response = api.post("/api/v1/study/grade/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(error_of(response)["fields"]) <= {"card", "version"}
    assert not ReviewLog.objects.exists()


def test_api_undo_and_queue_with_ids_beyond_64_bits_are_400s(api, card):
    response = api.post("/api/v1/study/undo/", {"review": BEYOND}, format="json")
    assert response.status_code == 400
    assert "review" in error_of(response)["fields"]
    response = api.get("/api/v1/study/queue/", {"deck": BEYOND})
    assert response.status_code == 400
    assert "deck" in error_of(response)["fields"]


def test_grade_service_answers_not_found_for_an_id_no_row_can_have(user):
    from recall.core.exceptions import NotFoundError
    from recall.study.services import card_grade

    for expected_version in (0, None):
        with pytest.raises(NotFoundError):
            card_grade(
                user=user,
                card_id=MAX_ID + 1,
                grade=3,
                duration_ms=0,
                expected_version=expected_version,
            )


@pytest.mark.parametrize(
    "post",
    [
        {"card_id": BEYOND, "grade": "3", "version": "0"},
        {"card_id": FAR_BEYOND, "grade": "3", "version": "0"},
        {"card_id": "{card}", "grade": "3", "version": BEYOND},
        {"card_id": "{card}", "grade": "3", "version": "0", "deck": FAR_BEYOND},
        {"card_id": "{card}", "grade": "3", "version": "0", "deck": "\u00b2"},
        {"card_id": "{card}", "grade": "3", "version": "0", "deck": "1" * 5000},
    ],
)
def test_web_grade_form_with_hostile_ids_redirects_with_a_message(user, card, post):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    post = {k: str(card.pk) if v == "{card}" else v for k, v in post.items()}
    response = client.post("/study/grade/", post)
    assert response.status_code == 302
    assert response["Location"] == "/study/" or response["Location"].startswith("/study/decks/")
    # The page it sends the user back to works too.
    assert client.get(response["Location"]).status_code in (200, 404)


def test_web_grade_form_refuses_an_id_beyond_64_bits_without_grading(user, card):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.post(
        "/study/grade/", {"card_id": BEYOND, "grade": "3", "version": "0"}, follow=True
    )
    assert response.status_code == 200
    assert "could not be recorded" in response.content.decode()
    assert not ReviewLog.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cards/abc/",
        "/api/v1/cards/-3.2e-60/",
        "/api/v1/decks/1.5/",
        "/api/v1/no-such-resource/",
        "/api/v2/",
    ],
)
@pytest.mark.parametrize("debug", [False, True])
def test_unrouted_api_paths_answer_404_in_the_json_error_shape(api, path, debug, settings):
    # DEBUG: the local profile (make demo), where Django would show its debug 404 page.
    settings.DEBUG = debug
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == "not_found"


def test_unrouted_web_paths_keep_the_html_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "null"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"page_size": "\u00f6"}, "page_size"),
        ({"page_size": "false"}, "page_size"),
        ({"page": ""}, "page"),
        ({"page": "null"}, "page"),
        ({"page": "0"}, "page"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/cards/", "/api/v1/decks/"])
def test_malformed_page_parameters_are_a_400(api, card, path, params, field):
    response = api.get(path, params)
    assert response.status_code == 400, response.content
    assert field in error_of(response)["fields"]


def test_search_page_size_is_validated_like_every_list(api, card):
    response = api.get("/api/v1/search/", {"q": "concept", "page_size": "null"})
    assert response.status_code == 400
    assert "page_size" in error_of(response)["fields"]


@pytest.mark.parametrize(
    ("path", "query"), [("/api/v1/cards/", {}), ("/api/v1/search/", {"q": "concept"})]
)
def test_huge_page_numbers_are_past_the_end_and_huge_page_sizes_the_largest(api, card, path, query):
    for page in (BEYOND, FAR_BEYOND, "9" * 5000):
        response = api.get(path, {**query, "page": page})
        assert response.status_code == 404, (page[:30], response.content)
        assert error_of(response)["code"] == "not_found"
    response = api.get(path, {**query, "page_size": FAR_BEYOND, "page": "1"})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 200


# --- the schema documents what the API refuses -----------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _rules(operation: dict[str, Any]) -> dict[str, str]:
    """The documented business rules of an operation: example name -> message."""
    examples = operation["responses"]["400"]["content"]["application/json"]["examples"]
    return {name: ex["summary"] for name, ex in examples.items() if name.startswith("Rule")}


@pytest.mark.parametrize(
    ("path", "method", "words"),
    [
        ("/api/v1/decks/", "post", "already have a deck with the slug"),
        ("/api/v1/decks/{id}/", "patch", "already have a deck with the slug"),
        ("/api/v1/tags/", "post", "already have a tag named"),
        ("/api/v1/tags/{id}/", "put", "already have a tag named"),
        ("/api/v1/tokens/", "post", "revoke one before creating another"),
        ("/api/v1/search/", "get", "Type at least one word"),
        ("/api/v1/notes/", "post", "does not exist"),
        ("/api/v1/decks/import/", "post", "unsupported file type"),
        ("/api/v1/me/", "patch", "not a known time zone"),
    ],
)
def test_business_rule_400s_are_documented(schema, path, method, words):
    operation = schema["paths"][path][method]
    assert any(words in message for message in _rules(operation).values())
    assert words in operation["responses"]["400"]["description"]


def test_the_schema_says_text_fields_hold_no_nul_and_search_needs_a_word(schema):
    tag = schema["components"]["schemas"]["TagRequest"]["properties"]["name"]
    assert re.fullmatch(tag["pattern"], "orm")
    assert not re.search(tag["pattern"], "o\x00rm")
    assert not re.search(tag["pattern"], "   ")
    params = schema["paths"]["/api/v1/search/"]["get"]["parameters"]
    (q,) = [p for p in params if p["name"] == "q"]
    assert (q["schema"]["minLength"], q["schema"]["maxLength"]) == (1, 500)
    assert not re.search(q["schema"]["pattern"], " \t ")
    (page_size,) = [p for p in params if p["name"] == "page_size"]
    assert page_size["schema"]["minimum"] == 1


def test_anonymous_reads_are_documented_as_optional_authentication(schema):
    assert {} in schema["paths"]["/api/v1/decks/"]["get"]["security"]
    assert {} in schema["paths"]["/api/v1/cards/{id}/"]["get"]["security"]
    assert {} not in schema["paths"]["/api/v1/decks/"]["post"]["security"]
    assert {} not in schema["paths"]["/api/v1/tags/"]["get"]["security"]
