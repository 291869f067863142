"""A page's theme and logo, and the health check: no contact, no link, nothing personal."""

from __future__ import annotations

import re

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ... import colours
from ...models import PageConfig

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FONT_STACK = re.compile(r"[\w\s,'\"-]{1,200}")
DEFAULT_PRIMARY = "#1a5fb4"
ASSET_CACHE = "public, max-age=86400"  # the URLs carry ?v=<saved at>, so a change shows at once


@require_http_methods(["GET", "HEAD"])
def page_theme(request: HttpRequest, slug: str) -> HttpResponse:
    """The page's theme as CSS custom properties. A stylesheet of our own origin, because the CSP allows no
    inline <style> and no style attributes; values are re-checked here, as they end up inside CSS."""
    page = PageConfig.objects.filter(slug=slug).first()
    if page is None:
        return HttpResponseNotFound("", content_type="text/css")
    primary = page.primary_colour if _COLOUR.fullmatch(page.primary_colour or "") else DEFAULT_PRIMARY
    lines = [f"  --pc-primary: {primary};", f"  --pc-on-primary: {colours.on_colour(primary)};"]
    if page.font_stack and _FONT_STACK.fullmatch(page.font_stack):
        lines.append(f"  --pc-font: {page.font_stack};")
    response = HttpResponse(":root {\n" + "\n".join(lines) + "\n}\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = ASSET_CACHE
    return response


LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
# An SVG shown by <img> never runs scripts, but one opened directly would, on our origin. The upload refuses
# scripts and event handlers (backoffice/forms.validate_logo); this policy makes sure nothing in it can run anyway.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_http_methods(["GET", "HEAD"])
def page_logo(request: HttpRequest, slug: str) -> HttpResponse:
    page = PageConfig.objects.filter(slug=slug).only("logo", "logo_content_type").first()
    if page is None or not page.logo or page.logo_content_type not in LOGO_TYPES:
        return HttpResponseNotFound("")
    response = HttpResponse(bytes(page.logo), content_type=page.logo_content_type)
    response["Cache-Control"] = ASSET_CACHE
    if page.logo_content_type == "image/svg+xml":
        response["Content-Security-Policy"] = SVG_POLICY
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
