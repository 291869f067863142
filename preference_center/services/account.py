"""The one client factory (the test seam): one client per configuration, each keeping its pooled connections."""

from __future__ import annotations

import threading

from django.conf import settings

from ..maileon import MaileonClient, MaileonConfig


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
