"""The one client factory (the test seam) and the account's definitions, cached so a page view costs one call."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

from ..maileon import (
    CustomFieldDefinition,
    MaileonClient,
    MaileonConfig,
    PreferenceCategory,
    PreferenceDefinition,
)

DEFINITIONS_TTL = 600  # seconds: marketers add a preference in Maileon, pages show it within ten minutes


def get_client() -> MaileonClient:
    return _client_for(
        settings.MAILEON_API_URL,
        settings.MAILEON_API_KEY,
        settings.MAILEON_CONNECT_TIMEOUT,
        settings.MAILEON_READ_TIMEOUT,
    )


@lru_cache(maxsize=4)
def _client_for(base_url: str, api_key: str, connect_timeout: float, read_timeout: float) -> MaileonClient:
    # One client per configuration: it keeps one pooled session per thread (keep-alive to Maileon).
    return MaileonClient(
        MaileonConfig(
            base_url=base_url, api_key=api_key, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
    )


def _cached(key: str, load):
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, DEFINITIONS_TTL)
    return value


def preference_definitions(category: str) -> list[PreferenceDefinition]:
    return _cached(f"maileon:preferences:{category}", lambda: get_client().get_preferences(category=category))


def preference_categories() -> list[PreferenceCategory]:
    return _cached("maileon:preference_categories", get_client().get_preference_categories)


def custom_field_definitions() -> list[CustomFieldDefinition]:
    return _cached("maileon:custom_fields", get_client().get_custom_field_definitions)


def forget_definitions() -> None:
    """After a marketer changed the account (or in tests): read definitions afresh."""
    cache.delete_many(["maileon:preference_categories", "maileon:custom_fields"])
    cache.delete_pattern("maileon:preferences:*") if hasattr(cache, "delete_pattern") else cache.clear()
