"""RFC 8058 one-click unsubscribe, the target of the List-Unsubscribe header."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import automation, errors, security, throttle
from ... import links
from ...models import Via
from ..rendering import resolve_page
from ...services import unsubscribe as unsubscribe_service
from .common import READ_METHODS, checked_link
from .unsubscribe import show_unsubscribe

ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@security.frameable
@csrf_exempt
@errors.recipient_errors
def unsubscribe_one_click(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """RFC 8058 target of the List-Unsubscribe header. The mailbox provider POSTs from its servers: no cookies,
    no Origin, no redirect; the checksum is the authority. GET and HEAD show the ordinary unsubscribe page."""
    page = resolve_page(slug)
    if request.method in READ_METHODS:
        return show_unsubscribe(request, page, checked_link(request))
    if request.POST.get(ONE_CLICK_BODY[0]) != ONE_CLICK_BODY[1]:
        return HttpResponse("expected List-Unsubscribe=One-Click\n", status=400, content_type="text/plain")
    # The provider's servers post for many recipients from few addresses: other links' failures from the same
    # address never refuse this one; only the contact's own count applies.
    blocked_for = throttle.seconds_blocked(request, count_address=False)
    link = links.parse(request)
    language = link.language or page.default_language
    suspected = automation.assess(request, via_page=False)
    if blocked_for:
        # Someone is guessing this contact's checksum: Maileon is not asked (its answer would tell them), yet a
        # genuine one-click must not be lost. Recorded unverified, the same answer whatever the checksum; the
        # worker verifies it before anything is sent, and a forgery fails there.
        if not unsubscribe_service.record_unverified(
            link=link, page=page, via=Via.ONE_CLICK, language=language, suspected_automation=suspected,
            counted_since=timezone.now() - timedelta(seconds=throttle.WINDOW_SECONDS),
        ):
            raise errors.ThrottledError(blocked_for)
    else:
        unsubscribe_service.request_unsubscribe(
            link=link, page=page, reason=None, message="", via=Via.ONE_CLICK, language=language,
            suspected_automation=suspected,
        )
    return HttpResponse("unsubscribed\n", content_type="text/plain")
