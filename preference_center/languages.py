"""The languages the pages speak, and which text a recipient sees when a marketer left one out.

LANGUAGES are the languages with a complete catalogue (locale/) and a column for every marketer text; which of
them recipients are offered is the ENABLED_LANGUAGES setting. Without Django imports at module level: settings.py
reads LANGUAGES from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

# Each language named in itself: the switcher shows these names to people who may not read the current page.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("de", "Deutsch"),
    ("en", "English"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("es", "Español"),
    ("nl", "Nederlands"),
)
CODES: tuple[str, ...] = tuple(code for code, _name in LANGUAGES)
NAMES: dict[str, str] = dict(LANGUAGES)


def enabled() -> tuple[str, ...]:
    """The languages recipients are offered, in LANGUAGES order (settings.ENABLED_LANGUAGES, checked there)."""
    from django.conf import settings

    return _in_order(tuple(settings.ENABLED_LANGUAGES))


@lru_cache(maxsize=64)
def _in_order(chosen: tuple[str, ...]) -> tuple[str, ...]:  # a page view asks about ten times
    return tuple(code for code in CODES if code in chosen)


def offered(code: str | None) -> str | None:
    """`code` if recipients may be served in it, else None."""
    return code if code in enabled() else None


def first_text(read: Callable[[str], str], language: str, fallback: str | None) -> str:
    """The text in `language`, else in `fallback` (the page's default language), else in the first language that
    has one: a page never shows an empty label because one translation is missing."""
    return first_text_and_language(read, language, fallback)[0]


def first_text_and_language(read: Callable[[str], str], language: str, fallback: str | None
                            ) -> tuple[str, str | None]:
    """first_text() and the language it is in (None: no language has one), so a page can mark a fallback up
    with `lang` and the admin can say which texts fall back."""
    for code in _order(language, fallback):
        text = read(code)
        if text:
            return text, code
    return "", None


def _order(language: str, fallback: str | None) -> Iterable[str]:
    yield language
    if fallback and fallback != language:
        yield fallback
    yield from (code for code in CODES if code not in (language, fallback))
