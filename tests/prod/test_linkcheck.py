"""The link checker against a real HTTP server on loopback (http.server in a thread)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest
from django.urls import reverse

from recall.decks import linkcheck
from recall.decks.linkcheck import LinkCheckOptions, check_urls
from recall.decks.models import Deck, Link, LinkStatus
from recall.decks.tasks import check_deck_links, check_stale_deck_links
from tests.factories import DeckFactory

# Long enough to overlap requests, short enough to keep the test quick.
HOLD_SECONDS = 0.25
SLOW_SECONDS = 3.0


def make_deck(**kwargs: Any) -> Deck:
    return cast(Deck, DeckFactory(**kwargs))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.total_in_flight = 0
        self.max_total_in_flight = 0
        self.methods: list[tuple[str, str]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _answer(self, code: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        body = b"hello" if self.command == "GET" else b""
        self.send_header("Content-Length", str(len(b"hello")))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _handle(self) -> None:
        srv = self.server
        host = self.headers.get("Host", "")
        with srv.lock:
            srv.methods.append((self.command, self.path))
        path = self.path
        if path == "/ok":
            self._answer(200)
        elif path == "/missing":
            self._answer(404)
        elif path == "/moved":
            self._answer(301, {"Location": "/ok"})
        elif path == "/loop":
            self._answer(302, {"Location": "/loop"})
        elif path == "/no-head":
            self._answer(405 if self.command == "HEAD" else 200)
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._answer(200)
        elif path.startswith("/hold/"):
            with srv.lock:
                srv.in_flight[host] += 1
                srv.total_in_flight += 1
                srv.max_in_flight[host] = max(srv.max_in_flight[host], srv.in_flight[host])
                srv.max_total_in_flight = max(srv.max_total_in_flight, srv.total_in_flight)
            try:
                time.sleep(HOLD_SECONDS)
            finally:
                # Counted out before answering: once the client has the answer it may send
                # its next request, which must not find this one still counted.
                with srv.lock:
                    srv.in_flight[host] -= 1
                    srv.total_in_flight -= 1
            self._answer(200)
        else:
            self._answer(500)

    do_GET = _handle
    do_HEAD = _handle


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _base(srv: _Server, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{srv.server_address[1]}"


LOOPBACK = LinkCheckOptions(concurrency=10, per_host=2, timeout=0.5, allow_private=True)


def test_statuses_of_ok_missing_redirect_slow_and_head_refused(server):
    base = _base(server)
    urls = [f"{base}/ok", f"{base}/missing", f"{base}/moved", f"{base}/slow", f"{base}/no-head"]
    results = check_urls(urls, LOOPBACK)

    assert results[f"{base}/ok"].status == LinkStatus.OK
    assert results[f"{base}/ok"].http_status == 200

    assert results[f"{base}/missing"].status == LinkStatus.BROKEN
    assert results[f"{base}/missing"].http_status == 404

    moved = results[f"{base}/moved"]
    assert moved.status == LinkStatus.REDIRECT
    assert moved.http_status == 200
    assert moved.final_url == f"{base}/ok"
    assert f"{base}/ok" in moved.error

    slow = results[f"{base}/slow"]
    assert slow.status == LinkStatus.ERROR
    assert slow.http_status is None
    assert "timed out" in slow.error

    no_head = results[f"{base}/no-head"]
    assert no_head.status == LinkStatus.OK
    assert ("HEAD", "/no-head") in server.methods
    assert ("GET", "/no-head") in server.methods
    # A HEAD that worked is not repeated as GET.
    assert ("GET", "/ok") not in server.methods


def test_redirect_loop_is_an_error_not_a_hang(server):
    url = f"{_base(server)}/loop"
    result = check_urls([url], LOOPBACK)[url]
    assert result.status == LinkStatus.ERROR
    assert "redirects" in result.error


def test_requests_per_host_never_exceed_the_limit_but_hosts_run_in_parallel(server):
    urls = [
        f"{_base(server, host)}/hold/{i}" for host in ("127.0.0.1", "localhost") for i in range(8)
    ]
    results = check_urls(urls, LOOPBACK)

    assert {r.status for r in results.values()} == {LinkStatus.OK}
    port = server.server_address[1]
    per_host = {host: server.max_in_flight[f"{host}:{port}"] for host in ("127.0.0.1", "localhost")}
    assert per_host == {"127.0.0.1": 2, "localhost": 2}
    # Concurrency is real: both hosts were served at the same time.
    assert server.max_total_in_flight > 2


def test_global_limit_bounds_all_requests(server):
    urls = [
        f"{_base(server, host)}/hold/{i}" for host in ("127.0.0.1", "localhost") for i in range(6)
    ]
    options = LinkCheckOptions(concurrency=1, per_host=5, timeout=2.0, allow_private=True)
    check_urls(urls, options)
    assert server.max_total_in_flight == 1


def test_private_addresses_are_refused_by_default(server):
    url = f"{_base(server)}/ok"
    result = check_urls([url], LinkCheckOptions(timeout=0.5))[url]
    assert result.status == LinkStatus.ERROR
    assert "private" in result.error
    assert server.methods == []


def test_only_http_urls_are_fetched():
    results = check_urls(["ftp://example.org/x", "javascript:alert(1)"], LOOPBACK)
    assert {r.status for r in results.values()} == {LinkStatus.ERROR}


@pytest.mark.django_db
def test_deck_check_stores_status_code_error_and_time(server, settings):
    settings.RECALL_LINKCHECK_ALLOW_PRIVATE = True
    settings.RECALL_LINKCHECK_TIMEOUT = 0.5
    deck = make_deck()
    base = _base(server)
    for path in ("/ok", "/missing", "/moved", "/slow"):
        Link.objects.create(deck=deck, url=f"{base}{path}")
    other = Link.objects.create(deck=make_deck(), url=f"{base}/ok")

    counts = check_deck_links.delay(deck.pk).get()

    assert counts == {"ok": 1, "broken": 1, "redirect": 1, "error": 1}
    stored = {link.url.removeprefix(base): link for link in Link.objects.filter(deck=deck)}
    assert stored["/ok"].status == LinkStatus.OK and stored["/ok"].http_status == 200
    assert stored["/missing"].status == LinkStatus.BROKEN and stored["/missing"].http_status == 404
    assert (
        stored["/moved"].status == LinkStatus.REDIRECT and "redirects to" in stored["/moved"].error
    )
    assert stored["/slow"].status == LinkStatus.ERROR and stored["/slow"].http_status is None
    assert all(link.checked_at is not None for link in stored.values())
    other.refresh_from_db()
    assert other.status == LinkStatus.UNCHECKED and other.checked_at is None


@pytest.mark.django_db
def test_stale_links_are_queued_again(server, settings):
    settings.RECALL_LINKCHECK_ALLOW_PRIVATE = True
    fresh, stale = make_deck(), make_deck()
    Link.objects.create(deck=stale, url=f"{_base(server)}/ok")
    Link.objects.create(deck=fresh, url=f"{_base(server)}/ok", checked_at=linkcheck.timezone.now())

    assert linkcheck.decks_with_stale_links() == [stale.pk]
    assert check_stale_deck_links.delay().get() == 1
    assert Link.objects.get(deck=stale).status == LinkStatus.OK
    assert linkcheck.decks_with_stale_links() == []


@pytest.mark.django_db
def test_owner_checks_links_from_the_deck_page(server, settings, client):
    settings.RECALL_LINKCHECK_ALLOW_PRIVATE = True
    deck = make_deck()
    link = Link.objects.create(deck=deck, url=f"{_base(server)}/missing")
    url = reverse("decks:deck-check-links", kwargs={"pk": deck.pk})

    client.force_login(deck.owner)
    page = client.get(deck.get_absolute_url())
    assert url in page.content.decode()
    assert client.get(url).status_code == 405

    response = client.post(url)
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == LinkStatus.BROKEN and link.http_status == 404
    page = client.get(deck.get_absolute_url()).content.decode()
    assert "Broken" in page and "(404)" in page


@pytest.mark.django_db
def test_only_the_owner_may_start_a_check(server, settings, client):
    settings.RECALL_LINKCHECK_ALLOW_PRIVATE = True
    deck = make_deck(visibility="public")
    link = Link.objects.create(deck=deck, url=f"{_base(server)}/ok")
    client.force_login(make_deck().owner)

    page = client.get(deck.get_absolute_url()).content.decode()
    url = reverse("decks:deck-check-links", kwargs={"pk": deck.pk})
    assert url not in page
    assert client.post(url).status_code == 404
    link.refresh_from_db()
    assert link.status == LinkStatus.UNCHECKED
    assert server.methods == []
