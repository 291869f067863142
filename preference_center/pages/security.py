"""Recipient pages: who may POST to them and who may frame them.

Recipient forms must work inside a marketer's cross-site iframe where browsers block third-party cookies,
so Django's cookie-based CSRF check cannot be used there. The link's id + checksum authorise the action;
what a cross-site attacker could still do is make a victim's browser submit a form it has a link for, so
browsers' own request metadata decides: `Sec-Fetch-Site: same-origin` passes (our form inside the corporate
iframe is still same-origin), an `Origin` of ours or in CSRF_TRUSTED_ORIGINS passes, no header at all means
no browser (curl, a mail client's server) and passes; anything else is refused with a 403 page.

The admin keeps Django's CSRF middleware; only views wearing `recipient_post_guard` are exempt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from csp.constants import HEADER as CSP_HEADER
from csp.decorators import csp_replace
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class ForbiddenOriginError(Exception):
    """A POST from a browser on an origin we do not trust (errors.py renders the 403 page)."""


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _trusted(origin: str, request: HttpRequest) -> bool:
    if origin == "null":  # sandboxed frames, privacy-sensitive redirects: nobody we can vouch for
        return False
    origin = origin.lower()
    if origin == f"{request.scheme}://{request.get_host()}".lower():
        return True
    for allowed in settings.CSRF_TRUSTED_ORIGINS:
        allowed = _origin_of(allowed)
        scheme, _, host = allowed.partition("://")
        if origin == allowed:
            return True
        # Django's wildcard form: https://*.example.com matches every subdomain.
        if host.startswith("*.") and origin.startswith(f"{scheme}://") and origin.endswith(host[1:]):
            return True
    return False


def check_origin(request: HttpRequest) -> None:
    """Raise ForbiddenOriginError unless the request may act (see the module docstring)."""
    if request.method in SAFE_METHODS:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site", "").lower()
    origin = request.headers.get("Origin")
    if fetch_site == "same-origin":
        return
    if fetch_site in ("same-site", "cross-site"):
        if origin and _trusted(origin, request):
            return
        raise ForbiddenOriginError(f"Sec-Fetch-Site {fetch_site}")
    # No Sec-Fetch-Site (older browser) or "none" (typed by the user): Origin decides when present.
    if origin is None or _trusted(origin, request):
        return
    raise ForbiddenOriginError("untrusted Origin")


def recipient_post_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Exempt from Django's CSRF cookie; check the browser's origin headers instead."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        check_origin(request)
        return view(request, *args, **kwargs)

    return csrf_exempt(guarded)


def frame_ancestors() -> list[str]:
    return ["'self'", *settings.FRAME_ANCESTORS]


def frameable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Recipient pages may be embedded by us and the origins in FRAME_ANCESTORS (CSP), not by anyone else.

    X-Frame-Options cannot name several origins, so it is left out here and CSP frame-ancestors decides;
    every other response keeps X-Frame-Options: DENY and frame-ancestors 'none'.
    """

    @wraps(view)
    def framed(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Built per response, so a changed setting (tests, reload) applies without re-importing views.
        response = csp_replace({"frame-ancestors": frame_ancestors()})(view)(request, *args, **kwargs)
        response._csp_in_debug_too = True  # a page of ours, 404s included: see CSPMiddleware
        return response

    framed.recipient_page = True  # copied outwards by every functools.wraps decorator: see is_recipient_page
    return xframe_options_exempt(framed)


def is_recipient_page(request: HttpRequest) -> bool:
    """Whether the request was routed to a recipient page (a view wearing `frameable`)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, "recipient_page", False)


def set_error_page_headers(request: HttpRequest, response: HttpResponse) -> None:
    """The strict CSP and the framing rules on a page of Django's error handlers (handlers.py), set here
    because an error raised in a middleware never reaches CSPMiddleware. A recipient page's error may be framed
    where the page may; any other error page is never framed."""
    if is_recipient_page(request):
        response[CSP_HEADER] = build_policy(replace={"frame-ancestors": frame_ancestors()})
        response.xframe_options_exempt = True
    else:
        response[CSP_HEADER] = build_policy()
        response["X-Frame-Options"] = "DENY"


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, except that our own 404 and 500 pages keep the policy while DEBUG is on.

    django-csp sends no policy on any 404 or 500 in DEBUG, so that Django's technical debug pages (inline
    styles and scripts) stay usable. Those remain exempt; a recipient page of ours (a bad link is a 404) is
    marked by `frameable` and gets its policy in every mode, so development shows what production sends.
    """

    DEBUG_EXEMPT_STATUSES = (404, 500)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        own_page = getattr(response, "_csp_in_debug_too", False)
        if not (settings.DEBUG and own_page and response.status_code in self.DEBUG_EXEMPT_STATUSES):
            return super().process_response(request, response)
        parts = self.get_policy_parts(request=request, response=response)
        policy = build_policy(config=parts.config, update=parts.update, replace=parts.replace, nonce=parts.nonce)
        if policy and CSP_HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[CSP_HEADER] = policy
        return response
