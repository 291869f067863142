"""Which language a recipient page speaks: the link's `lang`, else the contact's LOCALE, else the browser's
Accept-Language, else the page's default. An explicit choice first, then what Maileon knows, then a guess.

No cookie and no session: the choice travels in the link (`lang=`), so it works in a cookie-less iframe.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest

from ..services.standard_fields import LOCALE_FIELD
from ..links import SUPPORTED_LANGUAGES, requested_language

FALLBACK_LANGUAGE = "de"


def from_locale(locale: str | None) -> str | None:
    """Maileon's LOCALE (de, de_DE, en_GB, maybe en-GB) -> de/en, or None for anything else."""
    if not locale:
        return None
    primary = locale.replace("-", "_").split("_", 1)[0].strip().lower()
    return primary if primary in SUPPORTED_LANGUAGES else None


def from_accept_language(header: str) -> str | None:
    """The first supported language by the browser's preference (q-values honoured, q=0 means 'not')."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-", 1)[0].lower()
        if primary in SUPPORTED_LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose(
    request: HttpRequest,
    *,
    standard_fields: Mapping[str, str | None] | None = None,
    default: str | None = None,
) -> str:
    return (
        requested_language(request)
        or from_locale((standard_fields or {}).get(LOCALE_FIELD))
        or from_accept_language(request.headers.get("Accept-Language", ""))
        or (default if default in SUPPORTED_LANGUAGES else None)
        or FALLBACK_LANGUAGE
    )
