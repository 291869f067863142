"""Django's error views (handler400, handler404, handler500 in urls.py): for what escapes the recipient views'
own mapping (errors.py) or happens before any view runs: an unexpected exception (the database failing
elsewhere than the outbox insert, a bug), a URL that matches nothing, a body Django cannot parse. Django's own
are bare English pages.

Each answers with our page in the recipient's language, dressed like every recipient page when it can be. A
500 may come from the database or from the request itself, so when dressing fails the self-contained
templates/500.html answers (no database, no request), and should even that fail, Django's plain text. Every
answer carries the strict CSP itself. Production mode only: with DEBUG on Django shows its technical pages.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.defaults import ERROR_PAGE_TEMPLATE

from . import language as languages
from . import security
from .errors import page_for_error
from ..links import requested_language
from .rendering import render_page
from .templating import render_to_string

logger = logging.getLogger(__name__)

# A URL under a page configuration's prefix that matched nothing still wears that page's theme.
_PAGE_PREFIX = re.compile(r"/p/(?P<slug>[-a-zA-Z0-9_]+)/")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, "server_error.html", 500)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "not_found.html", 404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "bad_request.html", 400)


def plain_error_page(language: str | None, status: int) -> HttpResponse:
    """templates/500.html: one language, or both when none was decided."""
    try:
        return HttpResponse(render_to_string("500.html", {"language": language}), status=status)
    except Exception:  # e.g. a static file missing from the manifest: nothing of ours can render
        logger.exception("the self-contained error page failed too")
        return HttpResponse(ERROR_PAGE_TEMPLATE % {"title": f"Error ({status})", "details": ""}, status=status)


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    language = _language(request)
    try:
        page = _page(request)
        response = render_page(request, template, {}, page=page, language=language or page.default_language,
                               status=status, switcher=False)
    except Exception:  # the database, the page configuration, the request: whatever failed, the plain page
        logger.exception("the %s page could not be dressed; the self-contained one answers", status)
        response = plain_error_page(language, status)
    add_never_cache_headers(response)
    security.set_error_page_headers(request, response)
    return response


def _language(request: HttpRequest) -> str | None:
    """The view's choice if it made one, else the link's `lang`, else the browser's; None if nothing tells."""
    chosen = getattr(request, "recipient_language", None)
    if chosen:
        return chosen
    try:
        chosen = requested_language(request)
    except SuspiciousOperation:  # the query itself may be what could not be read (a 400)
        chosen = None
    return chosen or languages.from_accept_language(request.headers.get("Accept-Language", ""))


def _page(request: HttpRequest):
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    if slug is None and (prefix := _PAGE_PREFIX.match(request.path_info)):
        slug = prefix["slug"]
    return page_for_error({"slug": slug})
