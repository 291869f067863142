"""The unsubscribe page, the unsubscribe itself, its confirmation with "tell us more", and "unsubscribed by
mistake"."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import automation, confirmations
from ..forms import TopicsForm, UnsubscribeForm, long_date
from ...maileon import UnavailableError
from ...models import Via
from ..rendering import page_url, render_page, resolve_page
from ...services import pause as pause_service
from ...services import profile as profile_service
from ...services import undo as undo_service
from ...services import unsubscribe as unsubscribe_service
from .common import (
    READ_METHODS, already_left, checked_link, confirmation, gets_newsletters, language_for, mask_email, recipient_view,
    see_other,
)

logger = logging.getLogger(__name__)


def unsubscribe_page(request, page, link, language, view: profile_service.ProfileView, *, form=None,
                      topics_form=None, not_saved: str = "", status: int = 200) -> HttpResponse:
    """The unsubscribe page. Before the unsubscribe, for who gets newsletters: their topics (current values
    ticked) and a pause where the page and the account have them, and "fewer emails instead?"; the unsubscribe
    itself stays one click away (a link at the top jumps to it). `not_saved`: "topics" or "pause", which a
    Maileon that did not answer could not save; the recipient's choice is shown again."""
    contact = view.contact
    stays_possible = gets_newsletters(contact)
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


def not_saved(request, page, link, language, view, error: UnavailableError, what: str, **forms) -> HttpResponse:
    """Maileon did not take a topics or pause save (the read a moment before went through): the page again, with
    the recipient's choice and a "try again", instead of a page that forgets it."""
    logger.warning("Maileon unavailable in %s, status %s (contact %s): %s not saved, the page shows the choice again",
                   error.operation, error.status, link.contact_id, what)
    return unsubscribe_page(request, page, link, language, view, not_saved=what, status=503, **forms)


def show_unsubscribe(request, page, link) -> HttpResponse:
    view = profile_service.load_unsubscribe(link=link, page=page)  # a bad link fails before anyone picks a reason
    language = language_for(request, page, view.contact)
    if view.contact.has_left:
        return already_left(request, page, link, language)
    return unsubscribe_page(request, page, link, language, view)


@require_http_methods(["GET", "HEAD", "POST"])
@recipient_view
def unsubscribe(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)
    link = checked_link(request)
    if request.method in READ_METHODS:
        return show_unsubscribe(request, page, link)

    language = language_for(request, page)  # the form's action carries the language chosen on GET
    with translation.override(language):
        form = UnsubscribeForm(page=page, language=language, data=request.POST)
        if not form.is_valid():
            view = profile_service.load_unsubscribe(link=link, page=page)
            if view.contact.has_left:
                return already_left(request, page, link, language)
            return unsubscribe_page(request, page, link, language, view, form=form)
    outcome = unsubscribe_service.request_unsubscribe(
        link=link, page=page, reason=form.cleaned_data["reason"], message=form.cleaned_data["message"],
        via=Via.PAGE, language=language, suspected_automation=automation.assess(request, via_page=True),
    )
    if outcome.already_left:
        return see_other(request, "unsubscribe", page, link, language)  # shows "you are unsubscribed"
    undo = (confirmations.sealed("undo", link, request=str(outcome.row.public_id), email=outcome.email or "")
            if undo_service.offered(page, outcome.row) else None)
    return see_other(request, "unsubscribe_done", page, link, language, confirmations.token(
        "unsubscribed", link, pending=not outcome.delivered, reason=bool(outcome.row.reason_type),
    ), undo=undo)


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """What an unsubscribe did (post/redirect/get), with "tell us more" where no reason was given."""
    page = resolve_page(slug)
    link = checked_link(request)
    done = request.GET.get("done")
    facts = confirmations.read(done, "unsubscribed", link)
    return _unsubscribe_done(request, page, link, language_for(request, page), facts, done)


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
    link = checked_link(request)
    language = language_for(request, page)
    facts = _undo_facts(request, link)
    if not facts:
        return see_other(request, "unsubscribe_undone", page, link, language,
                          confirmations.token("undone", link, outcome="expired"))
    outcome = undo_service.undo_unsubscribe(link=link, page=page, request_id=facts.get("request", ""),
                                            email=facts.get("email", ""))
    if outcome is undo_service.Undo.BUSY:
        done = request.GET.get("done")
        return _unsubscribe_done(request, page, link, language,
                                 confirmations.read(done, "unsubscribed", link, required=False), done,
                                 undo_busy=True, status=409)
    if outcome is undo_service.Undo.NEEDS_ADDRESS:
        return see_other(request, "unsubscribe", page, link, language)  # "you are unsubscribed" + the way back
    return see_other(request, "unsubscribe_undone", page, link, language,
                      confirmations.token("undone", link, outcome=outcome.value))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_undone(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page, link, facts, language = confirmation(request, slug, "undone")
    return render_page(request, "unsubscribe_undone.html", {
        "outcome": facts.get("outcome", ""),
        "profile_url": page_url("profile", page, link, language),
        "undo_minutes": undo_service.WINDOW_SECONDS // 60,
    }, page=page, language=language, link=link)


@require_POST
@recipient_view
def unsubscribe_reason(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Tell us more" after the confirmation: adds the reason to the recorded unsubscribe."""
    page = resolve_page(slug)
    link = checked_link(request)
    language = language_for(request, page)
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
    return see_other(request, "unsubscribe_done", page, link, language, confirmations.token(
        "unsubscribed", link, pending=facts.get("pending", False), reason=True, reason_added=True,
    ), undo=request.GET.get("undo"))
