"""Issue 19 item 15: a Content-Security-Policy with a nonce on every HTML page, and in Chromium
an injected inline script is refused while the site's own scripts and the API docs run."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import cast

import pytest
from django.test import Client

from recall.accounts.models import User
from tests.browser_support import log_in
from tests.factories import CardFactory, DeckFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.fixture
def reader(db):
    user = cast(User, UserFactory(username="reader"))
    deck = DeckFactory(owner=user, title="Python", slug="python")
    card = CardFactory(deck=deck, question="What is a decorator?", answer="A callable.")
    client = Client()
    client.force_login(user)
    return client, deck, card


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/accounts/signup/", "/gallery/", "/accounts/profile/", "/study/"],
)
def test_html_pages_carry_a_policy_whose_nonce_is_on_their_scripts(reader, path):
    client, _, _ = reader
    if path.startswith("/accounts/") and path != "/accounts/profile/":
        client = Client()  # a logged-in visitor is sent home from these
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = _directives(response["Content-Security-Policy"])
    script_src = policy["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    (nonce,) = NONCE_RE.findall(" ".join(script_src))
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts, "every page loads the site script"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts


@pytest.mark.django_db
def test_the_nonce_is_new_on_every_response(reader):
    client, _, _ = reader
    nonces = {NONCE_RE.search(client.get("/").headers["Content-Security-Policy"]).group(1)
              for _ in range(3)}  # fmt: skip
    assert len(nonces) == 3


@pytest.mark.django_db
def test_deck_card_and_admin_pages_carry_the_policy(reader, admin_client):
    client, deck, card = reader
    for response in (
        client.get(deck.get_absolute_url()),
        client.get(f"/cards/{card.note_id}/"),  # the note page
        admin_client.get("/admin/"),
        Client().get("/admin/login/"),
    ):
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_templates_have_no_inline_script_or_event_handler():
    # A nonce is for our own script files; inline code or on*= handlers would need
    # 'unsafe-inline' and are kept out of the templates altogether.
    offenders = []
    for template in (ROOT / "recall").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template.name}: {tag}")
        for handler in re.findall(r"<[^>]*\son[a-z]+\s*=", text):
            offenders.append(f"{template.name}: {handler}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_only_our_own_files(path):
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing from a CDN"
    script_src = _directives(response["Content-Security-Policy"])["script-src"]
    assert "'unsafe-inline'" not in script_src
    assert all(s == "'self'" or s.startswith("'nonce-") for s in script_src)


# In Chromium -------------------------------------------------------------------------------

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

INJECT = """() => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(e.violatedDirective);
  });
  const bare = document.createElement("script");
  bare.textContent = "window.__injected = true;";
  document.body.appendChild(bare);
  const handler = document.createElement("img");
  handler.setAttribute("onerror", "window.__handler = true;");
  handler.src = "data:,not-an-image";
  document.body.appendChild(handler);
  // The control: the same kind of script, carrying this page's nonce, is allowed.
  const ours = document.createElement("script");
  ours.nonce = document.querySelector("script[nonce]").nonce;
  ours.textContent = "window.__ours = true;";
  document.body.appendChild(ours);
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_refuses_an_injected_inline_script(live_server, chromium):
    page = chromium.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(INJECT)
    page.wait_for_function("() => window.__violations.length >= 2")

    assert page.evaluate("() => window.__injected") is None
    assert page.evaluate("() => window.__handler") is None
    assert page.evaluate("() => window.__ours") is True
    assert {"script-src-elem", "script-src-attr"} <= set(page.evaluate("window.__violations"))
    assert any("Content Security Policy" in text for text in console), console


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_site_scripts_and_api_docs_run_under_the_policy(live_server, chromium):
    user = UserFactory(username="reader")
    deck = DeckFactory(owner=user, title="Python", slug="python")
    card = CardFactory(deck=deck, question="What is a decorator?", answer="A callable.")
    page = chromium.new_page()
    page.set_default_timeout(20_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Our own script: the editor's live preview posts and renders the Markdown.
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/cards/{card.note_id}/edit/")  # the note's editor
    answer = page.get_by_label("Answer")
    answer.fill("")
    answer.type("Use **functools.wraps**")
    page.locator("#preview-answer strong").wait_for()

    # Swagger UI and ReDoc render the schema from our own static files.
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").filter(has_text="Recall API").wait_for()
    assert page.locator(".swagger-ui .opblock").count() > 5
    page.goto(f"{live_server.url}/api/redoc/")
    page.locator("h1").filter(has_text="Recall API").wait_for()
    page.locator("h2").filter(has_text="Read your profile and study preferences").wait_for()

    assert violations == []
    assert errors == []
