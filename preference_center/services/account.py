"""The one client factory (the test seam) and the account's definitions, cached so a page view costs one call.

The definitions live in the per-process "local" cache (settings.CACHES): a page view reads them from memory,
with no round trip to the database or Redis; each process reads them from Maileon once per DEFINITIONS_TTL.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.cache import caches

from ..maileon import (
    CustomFieldDefinition,
    MaileonClient,
    MaileonConfig,
    PreferenceCategory,
    PreferenceDefinition,
)

DEFINITIONS_TTL = 600  # seconds: marketers add a preference in Maileon, pages show it within ten minutes


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


# The keys set here, so forget_definitions removes them and nothing else the local cache holds.
_definition_keys: set[str] = set()


def _cached(key: str, load):
    local = caches["local"]
    value = local.get(key)
    if value is None:
        value = load()
        local.set(key, value, DEFINITIONS_TTL)
        _definition_keys.add(key)
    return value


def preference_definitions(category: str) -> list[PreferenceDefinition]:
    return _cached(f"maileon:preferences:{category}", lambda: get_client().get_preferences(category=category))


def preference_categories() -> list[PreferenceCategory]:
    return _cached("maileon:preference_categories", get_client().get_preference_categories)


def custom_field_definitions() -> list[CustomFieldDefinition]:
    return _cached("maileon:custom_fields", get_client().get_custom_field_definitions)


def forget_definitions() -> None:
    """After a marketer changed the account (or in tests): read definitions afresh."""
    caches["local"].delete_many(list(_definition_keys))
