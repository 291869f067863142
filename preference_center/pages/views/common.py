"""What every recipient view shares: the decorator, the link and language of a request, the 303 to a
confirmation and reading it back, and the page a contact who left sees."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .. import confirmations, errors, security, throttle
from ... import links
from .. import language as languages
from ..forms import ResubscribeForm
from ...maileon import Contact, Permission
from ...models import PageConfig
from ..rendering import page_url, render_page, resolve_page
from ...services import way_back

READ_METHODS = ("GET", "HEAD")


def recipient_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    guarded = errors.recipient_errors(security.recipient_post_guard(view))
    return never_cache(security.frameable(csrf_exempt(guarded)))


def checked_link(request: HttpRequest, *, count_address: bool = True) -> links.ContactLink:
    """The request's link, unless its contact id or (count_address) its client address failed too often."""
    retry_after = throttle.seconds_blocked(request, count_address=count_address)
    if retry_after:
        raise errors.ThrottledError(retry_after)
    return links.parse(request)


def language_for(request: HttpRequest, page: PageConfig, contact: Contact | None = None) -> str:
    language = languages.choose(
        request, standard_fields=contact.standard_fields if contact else None, default=page.default_language
    )
    request.recipient_language = language  # error pages raised later speak it too
    return language


def action_url(request: HttpRequest, link: links.ContactLink, language: str) -> str:
    """Forms post back to the URL they came from, with the language fixed, so the result speaks it too."""
    return f"{request.path}?{links.query_string(link, language)}"


def mask_email(email: str | None) -> str:
    """e•••@example.org: enough to recognise one's own address, not enough to harvest it from a forwarded mail."""
    if not email or "@" not in email:
        return ""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def gets_newsletters(contact: Contact) -> bool:
    return contact.permission not in (None, Permission.NONE)


def see_other(request, name: str, page, link, language: str, done: str | None = None, **carried: str | None
               ) -> HttpResponse:
    """303 to the GET page that shows what the POST did (the language fixed, the confirmation's token added, and
    what else that page needs, e.g. the "unsubscribed by mistake" button's sealed token)."""
    url = page_url(name, page, link, language)
    extra = {key: value for key, value in {"done": done, **carried}.items() if value}
    return HttpResponseRedirect(f"{url}&{urlencode(extra)}" if extra else url, status=303)


def confirmation(request: HttpRequest, slug: str | None, kind: str
                 ) -> tuple[PageConfig, links.ContactLink, dict, str]:
    """The GET a successful POST answered 303 to (post/redirect/get): its page, link, the confirmation token's facts
    (of `kind`, for this link) and the language; nothing asked of Maileon."""
    page = resolve_page(slug)
    link = checked_link(request)
    facts = confirmations.read(request.GET.get("done"), kind, link)
    return page, link, facts, language_for(request, page)


def already_left(request, page, link, language, *, resubscribe_form=None) -> HttpResponse:
    """A contact who unsubscribed before (Maileon has anonymized them) opened an old link: say so, and show the
    way back where the page has one. Nothing here changes anything."""
    offers_way_back = not page.resubscribe_url and way_back.offered(page)
    if offers_way_back and resubscribe_form is None:
        with translation.override(language):
            resubscribe_form = ResubscribeForm()
    return render_page(request, "already_unsubscribed.html", {
        "resubscribe_form": resubscribe_form if offers_way_back else None,
        "resubscribe_action": page_url("resubscribe", page, link, language),
    }, page=page, language=language, link=link)
