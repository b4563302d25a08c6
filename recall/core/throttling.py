"""Brute-force throttles: the client address rule and the wrong-API-token allowance."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_ip(request: HttpRequest) -> str | None:
    """The client address, as DRF's throttles see it (honours REST_FRAMEWORK["NUM_PROXIES"]).

    django-axes calls this too, so the login lockout and the API throttles count one address.
    """
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


class BadTokenThrottle(SimpleRateThrottle):
    """Counts wrong API tokens per client address; past the rate, every token there gets 429.

    DRF checks throttles only after authentication, so a request with a wrong token would
    get its 401 before any throttle ran: the token authentication asks this class itself,
    before it looks the key up (``check``) and after a miss (``record_failure``).
    """

    scope = "bad_token"
    num_requests: int
    duration: int

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request: Any) -> None:
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def blocked(self, request: Any) -> bool:
        """True while this address has used up its allowance of wrong tokens."""
        if self.rate is None:
            return False
        self._load(request)
        return len(self.history) >= self.num_requests

    def record_failure(self, request: Any) -> None:
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
