"""The one client factory (the test seam): one client per configuration, each keeping its pooled connections."""

from __future__ import annotations

import base64
import threading
from urllib.parse import quote

from django.conf import settings

from .maileon import MaileonClient, MaileonConfig


def get_client() -> MaileonClient:
    return client_for(
        MaileonConfig(
            base_url=settings.MAILEON_API_URL,
            api_key=settings.MAILEON_API_KEY,
            connect_timeout=settings.MAILEON_CONNECT_TIMEOUT,
            read_timeout=settings.MAILEON_READ_TIMEOUT,
        )
    )


# One client per configuration: each keeps one pooled session per thread (keep-alive to Maileon).
_clients: dict[MaileonConfig, MaileonClient] = {}
_clients_lock = threading.Lock()


def client_for(config: MaileonConfig) -> MaileonClient:
    client = _clients.get(config)
    if client is None:
        with _clients_lock:
            client = _clients.setdefault(config, MaileonClient(config))
    return client


def close_clients() -> None:
    """End every pooled connection to Maileon (process shutdown, and tests whose server goes away)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


def api_key_forms() -> list[str]:
    """The configured key as it may appear in a log: raw, URL-quoted, and base64 as in Maileon's Basic header
    (with a trailing colon too, the `HTTPBasicAuth(key, "")` form). Nothing for the sandbox's public key."""
    key = settings.MAILEON_API_KEY
    if not key or settings.MAILEON_SANDBOX:
        return []  # no key, or "sandbox": nothing to hide, and a common word
    return [key, quote(key, safe=""), *(base64.b64encode(raw.encode()).decode("ascii") for raw in (key, key + ":"))]
