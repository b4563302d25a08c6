"""Site-wide pieces of every page: the favicon is linked and served, never a 404."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_every_page_links_an_svg_favicon_that_exists(db, client):
    html = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in html
    path = finders.find("img/favicon.svg")
    assert path
    with open(path, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")


def test_favicon_ico_redirects_to_the_svg(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
