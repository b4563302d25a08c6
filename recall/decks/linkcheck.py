"""Check the URLs of a deck's links concurrently and store what each one answered.

asyncio + httpx: a global Semaphore bounds the requests in flight, one Semaphore per host
keeps us polite to each server, every request has a timeout. HEAD first (cheap); servers
that refuse or mishandle HEAD get a GET whose body is never read. Redirects are followed
by hand, hop by hop, so each target is vetted before it is requested and the final address
is recorded. Addresses on private networks are refused unless allowed by a setting: the
URLs come from users' notes and must not make the server probe its own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Link, LinkStatus

USER_AGENT = "RecallLinkChecker/1.0 (+link check of a user's notes)"
MAX_REDIRECTS = 5
# A HEAD answered with one of these is retried as GET: many servers mishandle HEAD.
HEAD_FALLBACK_STATUSES = frozenset({400, 403, 404, 405, 406, 429, 500, 501, 502, 503})
ERROR_MAX = 300


@dataclass(frozen=True)
class LinkCheckResult:
    url: str
    status: str
    http_status: int | None = None
    error: str = ""
    final_url: str = ""


@dataclass(frozen=True)
class LinkCheckOptions:
    concurrency: int = 10
    per_host: int = 2
    timeout: float = 10.0
    allow_private: bool = False

    @classmethod
    def from_settings(cls) -> LinkCheckOptions:
        return cls(
            concurrency=settings.RECALL_LINKCHECK_CONCURRENCY,
            per_host=settings.RECALL_LINKCHECK_PER_HOST,
            timeout=settings.RECALL_LINKCHECK_TIMEOUT,
            allow_private=settings.RECALL_LINKCHECK_ALLOW_PRIVATE,
        )


class _Refused(Exception):
    """The URL may not be fetched (scheme, private address)."""


def _clip(text: str) -> str:
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


async def _vet(url: str, allow_private: bool) -> str:
    """Return the URL's host key; raise _Refused when it must not be requested."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _Refused("only http and https addresses are checked")
    host = parts.hostname
    if not allow_private:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise _Refused(f"name not resolved: {exc.strerror or exc}") from exc
        _refuse_private(infos)
    return f"{parts.scheme}://{host}:{parts.port or ''}"


def _refuse_private(infos: Iterable[tuple[object, ...]]) -> None:
    for info in infos:
        address = ipaddress.ip_address(info[4][0])  # type: ignore[index]
        if not address.is_global:
            raise _Refused("refused: address on a private or local network")


class HostRefused(_Refused):
    """A host other parts of Recall (e.g. note sources) must not connect to."""


def refuse_private_host(host: str, port: int) -> None:
    """The same guard for synchronous callers: raise HostRefused for a private address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise HostRefused(f"name not resolved: {exc.strerror or exc}") from exc
    try:
        _refuse_private(infos)
    except _Refused as exc:
        raise HostRefused(str(exc)) from None


class LinkChecker:
    """One run over many URLs: shares the client, the global and the per-host limits."""

    def __init__(
        self, options: LinkCheckOptions, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.options = options
        self.transport = transport
        self._all = asyncio.Semaphore(max(1, options.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _host_limit(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(max(1, self.options.per_host))
        return self._hosts[host]

    async def _request(self, client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
        host = await _vet(url, self.options.allow_private)
        # Host first: a task waiting for a busy host must not hold one of the global slots.
        async with self._host_limit(host), self._all:
            request = client.build_request(method, url)
            response = await client.send(request, stream=True)
            # Only the status matters: close without reading a body.
            await response.aclose()
            return response

    async def _follow(self, client: httpx.AsyncClient, method: str, url: str) -> tuple[int, str]:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._request(client, method, current)
            location = response.headers.get("location")
            if response.is_redirect and location:
                current = urljoin(current, location)
                continue
            return response.status_code, current
        raise _Refused(f"more than {MAX_REDIRECTS} redirects")

    async def check(self, client: httpx.AsyncClient, url: str) -> LinkCheckResult:
        try:
            code, final = await self._follow(client, "HEAD", url)
            if code in HEAD_FALLBACK_STATUSES:
                code, final = await self._follow(client, "GET", url)
        except _Refused as exc:
            return LinkCheckResult(url, LinkStatus.ERROR, error=_clip(str(exc)))
        except httpx.TimeoutException:
            return LinkCheckResult(
                url, LinkStatus.ERROR, error=f"timed out after {self.options.timeout:g} s"
            )
        except httpx.HTTPError as exc:
            detail = str(exc) or type(exc).__name__
            return LinkCheckResult(url, LinkStatus.ERROR, error=_clip(f"unreachable: {detail}"))
        if code >= 400:
            return LinkCheckResult(url, LinkStatus.BROKEN, http_status=code, error=f"HTTP {code}")
        if final != url:
            return LinkCheckResult(
                url,
                LinkStatus.REDIRECT,
                http_status=code,
                error=_clip(f"redirects to {final}"),
                final_url=final,
            )
        return LinkCheckResult(url, LinkStatus.OK, http_status=code)

    async def run(self, urls: Iterable[str]) -> dict[str, LinkCheckResult]:
        timeout = httpx.Timeout(self.options.timeout)
        limits = httpx.Limits(max_connections=max(1, self.options.concurrency))
        async with httpx.AsyncClient(
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            transport=self.transport,
            trust_env=False,
        ) as client:
            unique = list(dict.fromkeys(urls))
            results = await asyncio.gather(*(self.check(client, url) for url in unique))
        return {result.url: result for result in results}


def check_urls(
    urls: Iterable[str], options: LinkCheckOptions | None = None
) -> dict[str, LinkCheckResult]:
    """Check URLs concurrently from synchronous code (a Celery task, a command)."""
    return asyncio.run(LinkChecker(options or LinkCheckOptions.from_settings()).run(urls))


def deck_links_check(*, deck_id: int, options: LinkCheckOptions | None = None) -> dict[str, int]:
    """Check every Link of a deck and store the outcome; returns counts per status.

    Idempotent: running it twice just checks again. Links deleted meanwhile are skipped.
    """
    links = list(Link.objects.filter(deck_id=deck_id).only("id", "url"))
    if not links:
        return {}
    results = check_urls([link.url for link in links], options)
    now = timezone.now()
    for link in links:
        result = results[link.url]
        link.status = result.status
        link.http_status = result.http_status
        link.error = result.error
        link.checked_at = now
    with transaction.atomic():
        Link.objects.bulk_update(links, ["status", "http_status", "error", "checked_at"])
    counts: dict[str, int] = {}
    for link in links:
        counts[link.status] = counts.get(link.status, 0) + 1
    return counts


def decks_with_stale_links(*, now: datetime | None = None) -> list[int]:
    """Ids of decks having a link never checked, or checked longer ago than the max age."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RECALL_LINKCHECK_MAX_AGE_DAYS)
    stale = Link.objects.filter(Q(checked_at__isnull=True) | Q(checked_at__lt=cutoff))
    return sorted(set(stale.values_list("deck_id", flat=True)))
