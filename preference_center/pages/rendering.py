"""Render a recipient page in its language with what base.html needs: theme, logo, language switcher."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import translation

from .. import languages, links
from ..models import PageConfig
from . import page_cache
from .templating import render_to_string


def page_url(name: str, page: PageConfig, link: links.ContactLink | None = None, lang: str | None = None) -> str:
    """URL of a recipient page of `page`: /profile/ for the default page, /p/<slug>/profile/ for the others."""
    path = page_path(name, None if page.is_default else page.slug, get_script_prefix())
    return f"{path}?{links.query_string(link, lang)}" if link else path


@lru_cache(maxsize=1024)
def page_path(name: str, slug: str | None, script_prefix: str) -> str:
    """A page's path, looked up once per process (a page links to four or five of its pages on every view, and
    Django's reverse() walks the URL patterns each time). The script prefix is part of the key: it comes with
    each request."""
    return reverse(name) if slug is None else reverse(f"page_{name}", kwargs={"slug": slug})


@receiver(setting_changed)
def _forget_paths(*, setting: str, **_signal) -> None:
    if setting == "ROOT_URLCONF":
        page_path.cache_clear()


def asset_version(page: PageConfig) -> str:
    # Theme and logo URLs change when the page is saved, so browsers may cache them for long.
    return str(int(page.updated_at.timestamp())) if page.updated_at else "0"


# After a POST the switcher leads to the GET page the form belongs to (a POST-only address would answer 405).
_GET_PAGE_OF_POST = {"unsubscribe_reason": "unsubscribe_done", "unsubscribe_undo": "unsubscribe_done",
                     "unsubscribe_downsell": "unsubscribe", "unsubscribe_topics": "unsubscribe",
                     "unsubscribe_pause": "unsubscribe", "resubscribe": "profile",
                     "unsubscribe_one_click": "unsubscribe"}
# What a page's query carries besides the link itself: the confirmation's token and the "unsubscribed by mistake"
# button's sealed one (confirmations.py).
_KEPT_PARAMETERS = ("done", "undo")


def _language_links(request: HttpRequest, language: str, link: links.ContactLink | None) -> list[dict]:
    """GET links to this page in each language, keeping the recipient's link (no cookie is set)."""
    path = request.path
    match = request.resolver_match
    if request.method not in ("GET", "HEAD") and match is not None:
        name = match.url_name.removeprefix("page_")
        if name in _GET_PAGE_OF_POST:
            path = reverse(match.url_name.replace(name, _GET_PAGE_OF_POST[name]), kwargs=match.kwargs)
    kept = [(name, request.GET[name]) for name in _KEPT_PARAMETERS if request.GET.get(name)]
    result = []
    enabled = languages.enabled()
    if len(enabled) < 2:
        return result  # nothing to switch to
    for code in enabled:
        name = languages.NAMES[code]
        if link is not None:
            query = links.query_string(link, code) + (f"&{urlencode(kept)}" if kept else "")
        else:  # a malformed link: keep what was there, so the error page is just translated
            params = request.GET.copy()
            params["lang"] = code
            query = params.urlencode()
        result.append({"code": code, "name": name, "url": f"{path}?{query}", "current": code == language})
    return result


def base_context(
    request: HttpRequest, *, page: PageConfig, language: str, link: links.ContactLink | None = None,
    switcher: bool = True,
) -> dict:
    version = asset_version(page)  # digits only
    prefix = get_script_prefix()
    return {
        "page": page,
        "language": language,
        "theme_url": f"{page_path('theme', page.slug, prefix)}?v={version}" if page.pk else "",
        "logo_url": (f"{page_path('logo', page.slug, prefix)}?v={version}"
                     if page.pk and page.logo else ""),
        "language_links": _language_links(request, language, link) if switcher else [],
    }


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    page: PageConfig,
    language: str,
    link: links.ContactLink | None = None,
    status: int = 200,
    switcher: bool = True,
) -> HttpResponse:
    full_context = base_context(request, page=page, language=language, link=link, switcher=switcher)
    full_context.update(context)
    with translation.override(language):
        body = render_to_string(template, full_context, request=request)
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    return response


def resolve_page(slug: str | None) -> PageConfig:
    """The page configuration of a recipient view (page_cache: kept per process for a few seconds)."""
    return page_cache.get(slug)
