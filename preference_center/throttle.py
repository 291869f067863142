"""Limit link failures per client address, so contact ids and checksums cannot be enumerated.

Counted in Django's cache: per process with the default local-memory cache, shared when production configures
a shared cache. A blocked address gets a 429 page before anything is asked of Maileon.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 20
WINDOW_SECONDS = 600


def client_address(request: HttpRequest) -> str:
    # Behind the TLS-terminating proxy the peer is the proxy; the address it appended comes last.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _key(address: str) -> str:
    # Hashed so the cache (and anything dumping it) holds no plain client addresses.
    return "throttle:link-failures:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def record_failure(request: HttpRequest) -> None:
    key = _key(client_address(request))
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)


def is_blocked(request: HttpRequest) -> bool:
    return (cache.get(_key(client_address(request))) or 0) >= MAX_FAILURES
