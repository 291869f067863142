"""Page configurations as the recipient views use them, kept in each server process for a few seconds.

A page view needs its configuration with its fields and preference groups: three queries, about a quarter of
the app's own time per view, for data a marketer changes rarely; the unsubscribe page also its reasons (one
query more). Saves and deletions in this process (the admin) clear the cache at once; other server processes
see a change within MAX_AGE seconds.

The cached instances are shared by every thread of the process: callers read them, never change them.
"""

from __future__ import annotations

import time

from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save

from ..models import PageConfig, PreferenceGroup, ProfileField, UnsubscribeReason

MAX_AGE = 10.0  # seconds

_clock = time.monotonic  # tests move it on
_pages: dict[str | None, tuple[float, PageConfig]] = {}  # slug (None: the default page) -> (loaded at, page)
_reasons: dict[int, tuple[float, tuple[UnsubscribeReason, ...]]] = {}  # page pk -> (loaded at, its reasons)


class UnknownPageError(Exception):
    """/p/<slug>/ names no page configuration (errors.py renders the not-found page)."""


def get(slug: str | None) -> PageConfig:
    """The page configuration for `slug` (None: the default page), its fields and preference groups loaded."""
    now = _clock()
    cached = _pages.get(slug)
    if cached is not None and now - cached[0] < MAX_AGE:
        return cached[1]
    page = _load(slug)
    _pages[slug] = (now, page)
    return page


def reasons(page: PageConfig) -> tuple[UnsubscribeReason, ...]:
    """The unsubscribe reasons `page` offers, in their order (UnsubscribeReason.for_page). A page not saved (an
    admin preview of a new one) is read each time."""
    if page.pk is None:
        return tuple(UnsubscribeReason.for_page(page))
    now = _clock()
    cached = _reasons.get(page.pk)
    if cached is not None and now - cached[0] < MAX_AGE:
        return cached[1]
    offered = tuple(UnsubscribeReason.for_page(page))
    _reasons[page.pk] = (now, offered)
    return offered


def clear(**_signal) -> None:
    _pages.clear()
    _reasons.clear()


def _load(slug: str | None) -> PageConfig:
    if slug is None:
        page = PageConfig.get_default()
    else:
        page = PageConfig.objects.filter(slug=slug).first()
        if page is None:
            raise UnknownPageError(slug)  # not cached: a page created a moment later is found at once
    prefetch_related_objects([page], "fields", "preference_groups")
    return page


def connect_signals() -> None:
    for model in (PageConfig, ProfileField, PreferenceGroup, UnsubscribeReason):
        post_save.connect(clear, sender=model, dispatch_uid=f"page_cache_save_{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"page_cache_delete_{model.__name__}")
    # A reason offered on more or fewer pages: the admin saves its pages after the reason itself.
    m2m_changed.connect(clear, sender=UnsubscribeReason.pages.through, dispatch_uid="page_cache_reason_pages")
