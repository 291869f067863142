"""Recipient pages. Thin: parse the link, pick the page configuration, call a service, render.

GET and HEAD only read (mail scanners prefetch links); POST acts. Every view wears `recipient_view`: no
caching, framing per CSP, the origin guard instead of the CSRF cookie, and the one error mapping.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import urlencode
from datetime import date, timedelta

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import automation, confirmations, errors, security, throttle
from .. import colours, links
from . import language as languages
from .forms import (
    NewLinkForm,
    ProfileForm,
    ResubscribeForm,
    TopicsForm,
    UnsubscribeForm,
    changed_labels,
    downsell_labels,
    long_date,
    topic_labels,
)
from ..maileon import Contact, Permission, UnavailableError
from ..models import KeptKind, PageConfig, Via
from .page_cache import UnknownPageError
from .rendering import page_url, render_page, resolve_page
from ..services import new_link as new_link_service
from ..services import pause as pause_service
from ..services import profile as profile_service
from ..services import undo as undo_service
from ..services import unsubscribe as unsubscribe_service
from ..services import way_back

logger = logging.getLogger(__name__)

READ_METHODS = ("GET", "HEAD")


def recipient_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    guarded = errors.recipient_errors(security.recipient_post_guard(view))
    return never_cache(security.frameable(csrf_exempt(guarded)))


def _link(request: HttpRequest, *, count_address: bool = True) -> links.ContactLink:
    """The request's link, unless its contact id or (count_address) its client address failed too often."""
    retry_after = throttle.seconds_blocked(request, count_address=count_address)
    if retry_after:
        raise errors.ThrottledError(retry_after)
    return links.parse(request)


def _language(request: HttpRequest, page: PageConfig, contact: Contact | None = None) -> str:
    language = languages.choose(
        request, standard_fields=contact.standard_fields if contact else None, default=page.default_language
    )
    request.recipient_language = language  # error pages raised later speak it too
    return language


def _action(request: HttpRequest, link: links.ContactLink, language: str) -> str:
    """Forms post back to the URL they came from, with the language fixed, so the result speaks it too."""
    return f"{request.path}?{links.query_string(link, language)}"


def mask_email(email: str | None) -> str:
    """e•••@example.org: enough to recognise one's own address, not enough to harvest it from a forwarded mail."""
    if not email or "@" not in email:
        return ""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"


# --- profile


@require_http_methods(["GET", "HEAD", "POST"])
@recipient_view
def profile(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)  # with its fields and preference groups
    link = _link(request)
    view = profile_service.load_profile(link=link, page=page)
    contact = view.contact
    language = _language(request, page, contact)
    if contact.has_left:
        return _already_left(request, page, link, language)
    with translation.override(language):
        form = ProfileForm(page=page, contact=contact, language=language, fit=view.fit,
                           data=request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            changes = form.changes()
            try:
                result = profile_service.update_profile(
                    link=link, page=page, view=view, changes=changes, opt_in=form.wants_opt_in
                )
            except profile_service.EmailInUseError:
                form.add_error("email", _("Another contact already uses this address. Please enter a different "
                                          "one, or keep your current address."))
            else:
                return _see_other(request, "profile_saved", page, link, language, confirmations.token(
                    "profile_saved", link, saved=result.saved, opt_in=_opt_in_news(result),
                    **form.changed_names(result.changes),
                ))
        return render_page(request, "profile.html", {
            "form": form,
            "contact": contact,
            "action": _action(request, link, language),
            "intro": page.text("profile_intro", language),
            "unsubscribe_url": page_url("unsubscribe", page, link, language),
        }, page=page, language=language, link=link)


def _opt_in_news(result: profile_service.ProfileResult) -> str:
    return "requested" if result.opt_in_requested else "refused" if result.opt_in_refused else ""


@require_http_methods(["GET", "HEAD"])
@recipient_view
def profile_saved(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """What a profile save did (post/redirect/get): from the confirmation's token, without asking Maileon."""
    page = resolve_page(slug)
    link = _link(request)
    facts = confirmations.read(request.GET.get("done"), "profile_saved", link)
    language = _language(request, page)
    with translation.override(language):
        changed = changed_labels(page, language, fields=facts.get("fields", ()),
                                 categories=facts.get("categories", ()), email=facts.get("email", False))
    return render_page(request, "profile_saved.html", {
        "saved": facts.get("saved", False),
        "opt_in": facts.get("opt_in", ""),
        "changed": changed,
        "profile_url": page_url("profile", page, link, language),
    }, page=page, language=language, link=link)


def _see_other(request, name: str, page, link, language: str, done: str | None = None, **carried: str | None
               ) -> HttpResponse:
    """303 to the GET page that shows what the POST did (the language fixed, the confirmation's token added, and
    what else that page needs, e.g. the "unsubscribed by mistake" button's sealed token)."""
    url = page_url(name, page, link, language)
    extra = {key: value for key, value in {"done": done, **carried}.items() if value}
    return HttpResponseRedirect(f"{url}&{urlencode(extra)}" if extra else url, status=303)


def _already_left(request, page, link, language, *, resubscribe_form=None) -> HttpResponse:
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


@require_POST
@recipient_view
def resubscribe(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The way back for a contact who left: Maileon sends a double opt-in mail to the address typed here."""
    page = resolve_page(slug)
    link = _link(request)
    contact = profile_service.read_contact(link=link)  # proves the link before anything is shown or sent
    language = _language(request, page, contact)
    if not contact.has_left:
        return _show_unsubscribe(request, page, link)  # a stale form: the contact is subscribed again
    with translation.override(language):
        form = ResubscribeForm(data=request.POST)
        valid = form.is_valid()
    if not valid:
        return _already_left(request, page, link, language, resubscribe_form=form)
    outcome = way_back.request_way_back(link=link, page=page, contact=contact, email=form.cleaned_data["email"])
    if outcome is way_back.WayBack.NOT_OFFERED:
        return _already_left(request, page, link, language)
    # The address stays out of the confirmation's URL: the page says what happened, not where the mail went.
    return _see_other(request, "resubscribe_sent", page, link, language,
                      confirmations.token("resubscribe_sent", link, outcome=outcome.value))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def resubscribe_sent(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)
    link = _link(request)
    facts = confirmations.read(request.GET.get("done"), "resubscribe_sent", link)
    language = _language(request, page)
    return render_page(request, "resubscribe_sent.html", {"outcome": facts.get("outcome", "")},
                       page=page, language=language, link=link)


# --- a broken link: "send me a new link"


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
    language = _language(request, page)
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
    return render_page(request, "new_link_sent.html", {}, page=page, language=_language(request, page))


# --- unsubscribe


def _gets_newsletters(contact: Contact) -> bool:
    return contact.permission not in (None, Permission.NONE)


def _unsubscribe_page(request, page, link, language, view: profile_service.ProfileView, *, form=None,
                      topics_form=None, not_saved: str = "", status: int = 200) -> HttpResponse:
    """The unsubscribe page. Before the unsubscribe, for who gets newsletters: their topics (current values
    ticked) and a pause where the page and the account have them, and "fewer emails instead?"; the unsubscribe
    itself stays one click away (a link at the top jumps to it). `not_saved`: "topics" or "pause", which a
    Maileon that did not answer could not save; the recipient's choice is shown again."""
    contact = view.contact
    stays_possible = _gets_newsletters(contact)
    with translation.override(language):
        form = form or UnsubscribeForm(page=page, language=language)
        if topics_form is None and stays_possible and view.fit.groups:
            topics_form = TopicsForm(page=page, contact=contact, language=language, fit=view.fit)
        pause = pause_service.state(contact, page) if stays_possible and view.fit.pause else None
        pause_options = [(months, long_date(until)) for months, until in pause.options] if pause else []
        paused_until = long_date(pause.until) if pause and pause.until else ""
    topics_form = topics_form if topics_form is not None and topics_form.preference_entries else None
    return render_page(request, "unsubscribe.html", {
        "form": form,
        "masked_email": mask_email(contact.email),
        # Always the unsubscribe address: this page also answers the one-click URL opened in a browser (GET) and
        # the topics, pause and down-sell POSTs, whose addresses take no unsubscribe.
        "action": page_url("unsubscribe", page, link, language),
        "served": automation.served_stamp(),
        "intro": page.text("unsubscribe_intro", language),
        "profile_url": (page_url("profile", page, link, language)
                        if page.downsell_profile_link and stays_possible else ""),
        "downsell_action": (page_url("unsubscribe_downsell", page, link, language)
                            if profile_service.downsell_suits(page, contact) else ""),
        "downsell_label": page.text("downsell_label", language) or page.downsell_preference,
        "alternatives": bool(topics_form or pause),
        "topics_form": topics_form,
        "topics_action": page_url("unsubscribe_topics", page, link, language),
        "pause": pause is not None,
        "pause_options": pause_options,
        "paused_until": paused_until,
        "pause_action": page_url("unsubscribe_pause", page, link, language),
        "not_saved": not_saved,
        # "Try again" posts the pause chosen once more (a button leaves no choice visible on the page).
        "retry_url": request.get_full_path(),
        "retry_method": "post",
        "resubmission": [(name, value) for name, value in request.POST.items()] if not_saved == "pause" else [],
    }, page=page, language=language, link=link, status=status)


def _not_saved(request, page, link, language, view, error: UnavailableError, what: str, **forms) -> HttpResponse:
    """Maileon did not take a topics or pause save (the read a moment before went through): the page again, with
    the recipient's choice and a "try again", instead of a page that forgets it."""
    logger.warning("Maileon unavailable in %s, status %s (contact %s): %s not saved, the page shows the choice again",
                   error.operation, error.status, link.contact_id, what)
    return _unsubscribe_page(request, page, link, language, view, not_saved=what, status=503, **forms)


def _show_unsubscribe(request, page, link) -> HttpResponse:
    view = profile_service.load_unsubscribe(link=link, page=page)  # a bad link fails before anyone picks a reason
    language = _language(request, page, view.contact)
    if view.contact.has_left:
        return _already_left(request, page, link, language)
    return _unsubscribe_page(request, page, link, language, view)


@require_http_methods(["GET", "HEAD", "POST"])
@recipient_view
def unsubscribe(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)
    link = _link(request)
    if request.method in READ_METHODS:
        return _show_unsubscribe(request, page, link)

    language = _language(request, page)  # the form's action carries the language chosen on GET
    with translation.override(language):
        form = UnsubscribeForm(page=page, language=language, data=request.POST)
        if not form.is_valid():
            view = profile_service.load_unsubscribe(link=link, page=page)
            if view.contact.has_left:
                return _already_left(request, page, link, language)
            return _unsubscribe_page(request, page, link, language, view, form=form)
    outcome = unsubscribe_service.request_unsubscribe(
        link=link, page=page, reason=form.cleaned_data["reason"], message=form.cleaned_data["message"],
        via=Via.PAGE, language=language, suspected_automation=automation.assess(request, via_page=True),
    )
    if outcome.already_left:
        return _see_other(request, "unsubscribe", page, link, language)  # shows "you are unsubscribed"
    undo = (confirmations.sealed("undo", link, request=str(outcome.row.public_id), email=outcome.email or "")
            if undo_service.offered(page, outcome.row) else None)
    return _see_other(request, "unsubscribe_done", page, link, language, confirmations.token(
        "unsubscribed", link, pending=not outcome.delivered, reason=bool(outcome.row.reason_type),
    ), undo=undo)


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """What an unsubscribe did (post/redirect/get), with "tell us more" where no reason was given."""
    page = resolve_page(slug)
    link = _link(request)
    done = request.GET.get("done")
    facts = confirmations.read(done, "unsubscribed", link)
    return _unsubscribe_done(request, page, link, _language(request, page), facts, done)


def _unsubscribe_done(request, page, link, language, facts: dict, done: str | None, *, reason_form=None,
                      undo_busy: bool = False, status: int = 200) -> HttpResponse:
    has_reason = facts.get("reason", False)
    if reason_form is None and not has_reason:
        with translation.override(language):
            reason_form = UnsubscribeForm(page=page, language=language)
    undo = request.GET.get("undo") if _undo_facts(request, link) else None
    carried = urlencode({key: value for key, value in (("done", done), ("undo", undo)) if value})
    reason_action = page_url("unsubscribe_reason", page, link, language) + (f"&{carried}" if carried else "")
    return render_page(request, "unsubscribe_done.html", {
        "pending": facts.get("pending", False),
        "reason_form": None if has_reason else reason_form,
        "reason_added": facts.get("reason_added", False),
        "reason_action": reason_action,
        "confirmation": page.text("confirmation", language),
        "undo_action": (page_url("unsubscribe_undo", page, link, language) + f"&{carried}") if undo else "",
        "undo_minutes": undo_service.WINDOW_SECONDS // 60,
        "undo_busy": undo_busy,
    }, page=page, language=language, link=link, status=status)


def _undo_facts(request, link) -> dict:
    """The sealed facts of the "unsubscribed by mistake" button, or {} once its minutes are over."""
    try:
        return confirmations.unsealed(request.GET.get("undo"), "undo", link, max_age=undo_service.WINDOW_SECONDS)
    except confirmations.ConfirmationExpiredError:
        return {}


@require_POST
@recipient_view
def unsubscribe_undo(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"I unsubscribed by mistake": withdraw the unsubscribe, or start Maileon's double opt-in (services/undo.py)."""
    page = resolve_page(slug)
    link = _link(request)
    language = _language(request, page)
    facts = _undo_facts(request, link)
    if not facts:
        return _see_other(request, "unsubscribe_undone", page, link, language,
                          confirmations.token("undone", link, outcome="expired"))
    outcome = undo_service.undo_unsubscribe(link=link, page=page, request_id=facts.get("request", ""),
                                            email=facts.get("email", ""))
    if outcome is undo_service.Undo.BUSY:
        done = request.GET.get("done")
        return _unsubscribe_done(request, page, link, language,
                                 confirmations.read(done, "unsubscribed", link, required=False), done,
                                 undo_busy=True, status=409)
    if outcome is undo_service.Undo.NEEDS_ADDRESS:
        return _see_other(request, "unsubscribe", page, link, language)  # "you are unsubscribed" + the way back
    return _see_other(request, "unsubscribe_undone", page, link, language,
                      confirmations.token("undone", link, outcome=outcome.value))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_undone(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)
    link = _link(request)
    facts = confirmations.read(request.GET.get("done"), "undone", link)
    return render_page(request, "unsubscribe_undone.html", {
        "outcome": facts.get("outcome", ""),
        "profile_url": page_url("profile", page, link, _language(request, page)),
        "undo_minutes": undo_service.WINDOW_SECONDS // 60,
    }, page=page, language=_language(request, page), link=link)


@require_POST
@recipient_view
def unsubscribe_reason(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Tell us more" after the confirmation: adds the reason to the recorded unsubscribe."""
    page = resolve_page(slug)
    link = _link(request)
    language = _language(request, page)
    done = request.GET.get("done")
    facts = confirmations.read(done, "unsubscribed", link, required=False)  # the state shown around the form
    with translation.override(language):
        form = UnsubscribeForm(page=page, language=language, data=request.POST)
        valid = form.is_valid()
        if valid and form.cleaned_data["reason"] is None:
            form.add_error("reason", _("Please choose an answer."))
            valid = False
    if not valid:
        return _unsubscribe_done(request, page, link, language, facts, done, reason_form=form)
    unsubscribe_service.add_reason_later(
        link=link, page=page, reason=form.cleaned_data["reason"], message=form.cleaned_data["message"]
    )
    return _see_other(request, "unsubscribe_done", page, link, language, confirmations.token(
        "unsubscribed", link, pending=facts.get("pending", False), reason=True, reason_added=True,
    ), undo=request.GET.get("undo"))


@require_POST
@recipient_view
def unsubscribe_downsell(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The one-button alternative on the unsubscribe page, e.g. "monthly digest instead"."""
    page = resolve_page(slug)
    if not page.offers_downsell_switch:
        raise UnknownPageError(page.slug)
    link = _link(request)
    # Verified by a read first: the PUT alone would leave the checksum check to Maileon, and a forged link
    # must not cause a changing call at all.
    view = profile_service.load_unsubscribe(link=link, page=page)
    language = _language(request, page, view.contact)
    if view.contact.has_left:
        return _already_left(request, page, link, language)
    if not profile_service.downsell_suits(page, view.contact):
        # Not (or no longer) offered to this contact: show the page as it is now, change nothing.
        return _unsubscribe_page(request, page, link, language, view)
    profile_service.switch_to_downsell(link=link, page=page)
    # What the switch turned off, so the confirmation can say "X instead of Y" (names only: labels per language).
    dropped = [p.name for p in view.contact.preferences
               if p.category == page.downsell_category and p.value and p.name != page.downsell_preference]
    return _see_other(request, "unsubscribe_downsell_done", page, link, language,
                      confirmations.token("downsell", link, dropped=dropped))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_downsell_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)
    link = _link(request)
    facts = confirmations.read(request.GET.get("done"), "downsell", link)
    language = _language(request, page)
    dropped = [name for name in facts.get("dropped", ()) if isinstance(name, str)]
    with translation.override(language):
        chosen, *dropped_labels = downsell_labels(page, [page.downsell_preference, *dropped], language)
    return render_page(request, "unsubscribe_downsell.html", {
        "chosen": chosen,
        "dropped": dropped_labels,
        "profile_url": page_url("profile", page, link, language),
        "unsubscribe_url": page_url("unsubscribe", page, link, language),
    }, page=page, language=language, link=link)


# --- stop only what annoys me, pause instead of leaving (on the unsubscribe page)


@require_POST
@recipient_view
def unsubscribe_topics(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Save my topics" on the unsubscribe page: like the profile's save, only the preferences that changed."""
    page = resolve_page(slug)
    if not page.preference_groups.all():
        raise UnknownPageError(page.slug)
    link = _link(request)
    view = profile_service.load_unsubscribe(link=link, page=page)  # proves the link before anything is written
    language = _language(request, page, view.contact)
    if view.contact.has_left:
        return _already_left(request, page, link, language)
    with translation.override(language):
        form = TopicsForm(page=page, contact=view.contact, language=language, fit=view.fit, data=request.POST)
        valid = form.is_valid()
    if not (_gets_newsletters(view.contact) and form.preference_entries):
        # Not (or no longer) offered to this contact: show the page as it is now, change nothing.
        return _unsubscribe_page(request, page, link, language, view)
    if not valid:
        return _unsubscribe_page(request, page, link, language, view, topics_form=form)
    try:
        result = profile_service.update_profile(link=link, page=page, view=view, changes=form.changes(),
                                                opt_in=False, counted_as=KeptKind.TOPICS)
    except UnavailableError as error:
        return _not_saved(request, page, link, language, view, error, "topics", topics_form=form)
    return _see_other(request, "unsubscribe_topics_done", page, link, language, confirmations.token(
        "topics", link, topics=TopicsForm.changed_topics(result.changes, view.fit),
    ))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_topics_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Which topics are now off and on (post/redirect/get), from the confirmation's token."""
    page = resolve_page(slug)
    link = _link(request)
    facts = confirmations.read(request.GET.get("done"), "topics", link)
    language = _language(request, page)
    with translation.override(language):
        off, on = topic_labels(page, language, facts.get("topics", ()))
    return render_page(request, "unsubscribe_topics_saved.html", {
        "off": off, "on": on,
        "unsubscribe_url": page_url("unsubscribe", page, link, language) + "#unsubscribe-all",
    }, page=page, language=language, link=link)


PAUSE_CHOICES = {str(months): months for months in pause_service.PAUSE_MONTHS}
END_PAUSE = "end"


@require_POST
@recipient_view
def unsubscribe_pause(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Pause instead of leaving": writes the end of the pause (or clears it: "end") into the page's date field."""
    page = resolve_page(slug)
    if not page.pause_field:
        raise UnknownPageError(page.slug)
    link = _link(request)
    view = profile_service.load_unsubscribe(link=link, page=page)  # proves the link, reads the current pause
    language = _language(request, page, view.contact)
    if view.contact.has_left:
        return _already_left(request, page, link, language)
    choice = request.POST.get("pause", "")
    offered = view.fit.pause and _gets_newsletters(view.contact)
    if not offered or not (choice in PAUSE_CHOICES or choice == END_PAUSE):
        # Not (or no longer) offered, or no choice made: show the page as it is now, change nothing.
        return _unsubscribe_page(request, page, link, language, view)
    until = None
    try:
        if choice == END_PAUSE:
            if pause_service.paused_until(view.contact, page) is not None:
                pause_service.end_pause(link=link, page=page)
        else:
            until = pause_service.pause(link=link, page=page, contact=view.contact, months=PAUSE_CHOICES[choice])
    except UnavailableError as error:
        return _not_saved(request, page, link, language, view, error, "pause")
    return _see_other(request, "unsubscribe_pause_done", page, link, language, confirmations.token(
        "pause", link, until=until.isoformat() if until else "",
    ))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_pause_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Paused until …" or "your pause has ended" (post/redirect/get), with the way to unsubscribe anyway."""
    page = resolve_page(slug)
    link = _link(request)
    facts = confirmations.read(request.GET.get("done"), "pause", link)
    language = _language(request, page)
    with translation.override(language):
        until = long_date(date.fromisoformat(facts["until"])) if facts.get("until") else ""
    return render_page(request, "unsubscribe_paused.html", {
        "until": until,
        "unsubscribe_url": page_url("unsubscribe", page, link, language) + "#unsubscribe-all",
    }, page=page, language=language, link=link)


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
        return _show_unsubscribe(request, page, _link(request))
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


# --- page assets: theme and logo


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
