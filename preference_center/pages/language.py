"""Which language a recipient page speaks: the link's `lang`, else the contact's LOCALE, else the browser's
Accept-Language, else the page's default. An explicit choice first, then what Maileon knows, then a guess.

No cookie and no session: the choice travels in the link (`lang=`), so it works in a cookie-less iframe.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest

from .. import languages
from ..links import requested_language
from ..services.standard_fields import LOCALE_FIELD


def from_locale(locale: str | None) -> str | None:
    """Maileon's LOCALE (de, de_DE, fr_CH, maybe en-GB) -> an enabled language, or None for anything else."""
    if not locale:
        return None
    primary = locale.replace("-", "_").split("_", 1)[0].strip().lower()
    return languages.offered(primary)


def from_accept_language(header: str) -> str | None:
    """The first enabled language by the browser's preference (q-values honoured, q=0 means 'not')."""
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
        if languages.offered(primary) and quality > 0:
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
        or languages.offered(default)
        or languages.enabled()[0]
    )
