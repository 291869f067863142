"""Coming back: the way back for a contact who left (a double opt-in mail to the address typed), and "send me a
new link" for a link that no longer works."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from .. import confirmations, errors, throttle
from ..forms import NewLinkForm, ResubscribeForm
from ...maileon import UnavailableError
from ..page_cache import UnknownPageError
from ..rendering import page_url, render_page, resolve_page
from ...services import new_link as new_link_service
from ...services import profile as profile_service
from ...services import way_back
from .common import READ_METHODS, already_left, checked_link, confirmation, language_for, recipient_view, see_other
from .unsubscribe import show_unsubscribe


@require_POST
@recipient_view
def resubscribe(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The way back for a contact who left: Maileon sends a double opt-in mail to the address typed here."""
    page = resolve_page(slug)
    link = checked_link(request)
    contact = profile_service.read_contact(link=link)  # proves the link before anything is shown or sent
    language = language_for(request, page, contact)
    if not contact.has_left:
        return show_unsubscribe(request, page, link)  # a stale form: the contact is subscribed again
    with translation.override(language):
        form = ResubscribeForm(data=request.POST)
        valid = form.is_valid()
    if not valid:
        return already_left(request, page, link, language, resubscribe_form=form)
    outcome = way_back.request_way_back(link=link, page=page, contact=contact, email=form.cleaned_data["email"])
    if outcome is way_back.WayBack.NOT_OFFERED:
        return already_left(request, page, link, language)
    # The address stays out of the confirmation's URL: the page says what happened, not where the mail went.
    return see_other(request, "resubscribe_sent", page, link, language,
                      confirmations.token("resubscribe_sent", link, outcome=outcome.value))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def resubscribe_sent(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page, link, facts, language = confirmation(request, slug, "resubscribe_sent")
    return render_page(request, "resubscribe_sent.html", {"outcome": facts.get("outcome", "")},
                       page=page, language=language, link=link)


@require_http_methods(["GET", "HEAD", "POST"])
@recipient_view
def new_link(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The form of a broken link's page, on its own (GET) and its answer (POST): Maileon mails a fresh personal
    link to the address typed, if it is a contact's. Every valid request gets the same 303 to the same page,
    whether the address is on the list or not, within the per-email limit or beyond it; the address is never
    stored, logged or put into a URL. Which page: the one the broken link's URL named (/p/<slug>/), else the
    default page."""
    page = resolve_page(slug)
    if not new_link_service.offered(page):
        raise UnknownPageError(page.slug)  # this page sends no new links: "page not found, use the newsletter"
    language = language_for(request, page)
    if request.method in READ_METHODS:
        return _new_link_page(request, page, language)

    retry_after = throttle.new_link_seconds_blocked(request)
    if retry_after:
        raise errors.ThrottledError(retry_after, new_link=True)
    with translation.override(language):
        form = NewLinkForm(data=request.POST)
        valid = form.is_valid()
    if not valid:
        return _new_link_page(request, page, language, form)
    throttle.count_new_link_request(request)
    try:
        outcome = new_link_service.request_new_link(page=page, email=form.cleaned_data["email"])
    except UnavailableError as error:
        errors.log_unavailable(request, error)
        return _new_link_failed(request, page, language, form, retry_after=error.retry_after)
    if outcome is new_link_service.NewLink.REFUSED:
        return _new_link_failed(request, page, language)
    if outcome is new_link_service.NewLink.NOT_OFFERED:
        raise UnknownPageError(page.slug)
    # The same URL for every address: it carries the language only.
    return HttpResponseRedirect(f"{page_url('new_link_sent', page)}?{urlencode({'lang': language})}", status=303)


def _new_link_page(request, page, language, form=None) -> HttpResponse:
    return render_page(request, "new_link.html", errors.new_link_context(page, language, form),
                       page=page, language=language)


def _new_link_failed(request, page, language, form=None, *, retry_after: float | None = None) -> HttpResponse:
    """Maileon could not be reached (503: the form again, with what was typed, to try in a few minutes), or it
    refused the page's transaction type (502: nothing can be sent from here now; the newsletter's link works)."""
    if form is None:
        return render_page(request, "new_link_failed.html", {"retry": False}, page=page, language=language,
                           status=502)
    context = {"retry": True, **errors.new_link_context(page, language, form)}
    response = render_page(request, "new_link_failed.html", context, page=page, language=language, status=503)
    response["Retry-After"] = str(errors.recipient_wait(retry_after) or errors.MAX_RECIPIENT_WAIT)
    return response


@require_http_methods(["GET", "HEAD"])
@recipient_view
def new_link_sent(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Check your inbox": the same for every address (post/redirect/get; nothing to carry, so no token)."""
    page = resolve_page(slug)
    return render_page(request, "new_link_sent.html", {}, page=page, language=language_for(request, page))
