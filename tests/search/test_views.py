"""The search page: GET form, highlighted hits escaped except our <mark>, page links, errors."""

from __future__ import annotations

from tests.factories import NoteFactory


def test_empty_page_shows_the_form(db, client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert b'name="q"' in response.content and b'name="deck"' in response.content
    assert b"found" not in response.content


def test_results_are_highlighted_and_html_escaped(indexed, client):
    client.force_login(indexed.alice)
    response = client.get("/search/", {"q": "escape ampersands"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 card found" in html
    assert "<mark>" in html
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert indexed.cards["html"].get_absolute_url() in html


def test_anonymous_visitor_finds_public_cards_only(indexed, client):
    html = client.get("/search/", {"q": "select_related"}).content.decode()
    assert indexed.cards["select_related"].get_absolute_url() in html
    assert indexed.cards["secret"].get_absolute_url() not in html


def test_filters_and_page_links(indexed, client, search_backend):
    extra = [
        NoteFactory(deck=indexed.django, question=f"Listed {i}", answer="x") for i in range(25)
    ]
    search_backend.index([c.pk for c in extra])
    client.force_login(indexed.alice)
    html = client.get("/search/", {"q": "listed", "deck": "django"}).content.decode()
    assert "25 cards found" in html
    assert 'rel="next"' in html and "page=2" in html
    second = client.get("/search/", {"q": "listed", "deck": "django", "page": 2}).content.decode()
    assert 'rel="prev"' in second and "Page 2 of 2" in second
    assert "0 cards found" in client.get("/search/", {"q": "listed", "tag": "orm"}).content.decode()


def test_query_error_is_shown_on_the_page(indexed, client):
    html = client.get("/search/", {"q": "x" * 600}).content.decode()
    assert "query too long" in html


def test_a_tag_chip_link_lists_the_tagged_cards(indexed, client):
    client.force_login(indexed.alice)
    html = client.get("/search/", {"tag": "orm", "deck": "django"}).content.decode()
    assert "2 cards found" in html
    assert indexed.cards["select_related"].get_absolute_url() in html
    assert indexed.cards["asgi"].get_absolute_url() not in html
    html = client.get("/search/", {"q": "tag:oop"}).content.decode()
    assert "2 cards found" in html and "Type at least one word" not in html
