"""Staying on other terms, the unsubscribe page's alternatives: the down-sell ("fewer emails instead"), only some
topics off, a pause; each with its confirmation and the way to unsubscribe anyway."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from .. import confirmations
from ..forms import TopicsForm, downsell_labels, long_date, topic_labels
from ...maileon import UnavailableError
from ...models import KeptKind
from ..page_cache import UnknownPageError
from ..rendering import page_url, render_page, resolve_page
from ...services import pause as pause_service
from ...services import profile as profile_service
from .common import already_left, checked_link, confirmation, gets_newsletters, language_for, recipient_view, see_other
from .unsubscribe import not_saved, unsubscribe_page

PAUSE_CHOICES = {str(months): months for months in pause_service.PAUSE_MONTHS}
END_PAUSE = "end"


@require_POST
@recipient_view
def unsubscribe_downsell(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The one-button alternative on the unsubscribe page, e.g. "monthly digest instead"."""
    page = resolve_page(slug)
    if not page.offers_downsell_switch:
        raise UnknownPageError(page.slug)
    link = checked_link(request)
    # Verified by a read first: the PUT alone would leave the checksum check to Maileon, and a forged link
    # must not cause a changing call at all.
    view = profile_service.load_unsubscribe(link=link, page=page)
    language = language_for(request, page, view.contact)
    if view.contact.has_left:
        return already_left(request, page, link, language)
    if not profile_service.downsell_suits(page, view.contact):
        # Not (or no longer) offered to this contact: show the page as it is now, change nothing.
        return unsubscribe_page(request, page, link, language, view)
    profile_service.switch_to_downsell(link=link, page=page)
    # What the switch turned off, so the confirmation can say "X instead of Y" (names only: labels per language).
    dropped = [p.name for p in view.contact.preferences
               if p.category == page.downsell_category and p.value and p.name != page.downsell_preference]
    return see_other(request, "unsubscribe_downsell_done", page, link, language,
                      confirmations.token("downsell", link, dropped=dropped))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_downsell_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page, link, facts, language = confirmation(request, slug, "downsell")
    dropped = [name for name in facts.get("dropped", ()) if isinstance(name, str)]
    with translation.override(language):
        chosen, *dropped_labels = downsell_labels(page, [page.downsell_preference, *dropped], language)
    return render_page(request, "unsubscribe_downsell.html", {
        "chosen": chosen,
        "dropped": dropped_labels,
        "profile_url": page_url("profile", page, link, language),
        "unsubscribe_url": page_url("unsubscribe", page, link, language),
    }, page=page, language=language, link=link)


@require_POST
@recipient_view
def unsubscribe_topics(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Save my topics" on the unsubscribe page: like the profile's save, only the preferences that changed."""
    page = resolve_page(slug)
    if not page.preference_groups.all():
        raise UnknownPageError(page.slug)
    link = checked_link(request)
    view = profile_service.load_unsubscribe(link=link, page=page)  # proves the link before anything is written
    language = language_for(request, page, view.contact)
    if view.contact.has_left:
        return already_left(request, page, link, language)
    with translation.override(language):
        form = TopicsForm(page=page, contact=view.contact, language=language, fit=view.fit, data=request.POST)
        valid = form.is_valid()
    if not (gets_newsletters(view.contact) and form.preference_entries):
        # Not (or no longer) offered to this contact: show the page as it is now, change nothing.
        return unsubscribe_page(request, page, link, language, view)
    if not valid:
        return unsubscribe_page(request, page, link, language, view, topics_form=form)
    try:
        result = profile_service.update_profile(link=link, page=page, view=view, changes=form.changes(),
                                                opt_in=False, counted_as=KeptKind.TOPICS)
    except UnavailableError as error:
        return not_saved(request, page, link, language, view, error, "topics", topics_form=form)
    return see_other(request, "unsubscribe_topics_done", page, link, language, confirmations.token(
        "topics", link, topics=TopicsForm.changed_topics(result.changes, view.fit),
    ))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_topics_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Which topics are now off and on (post/redirect/get), from the confirmation's token."""
    page, link, facts, language = confirmation(request, slug, "topics")
    with translation.override(language):
        off, on = topic_labels(page, language, facts.get("topics", ()))
    return render_page(request, "unsubscribe_topics_saved.html", {
        "off": off, "on": on,
        "unsubscribe_url": page_url("unsubscribe", page, link, language) + "#unsubscribe-all",
    }, page=page, language=language, link=link)


@require_POST
@recipient_view
def unsubscribe_pause(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Pause instead of leaving": writes the end of the pause (or clears it: "end") into the page's date field."""
    page = resolve_page(slug)
    if not page.pause_field:
        raise UnknownPageError(page.slug)
    link = checked_link(request)
    view = profile_service.load_unsubscribe(link=link, page=page)  # proves the link, reads the current pause
    language = language_for(request, page, view.contact)
    if view.contact.has_left:
        return already_left(request, page, link, language)
    choice = request.POST.get("pause", "")
    offered = view.fit.pause and gets_newsletters(view.contact)
    if not offered or not (choice in PAUSE_CHOICES or choice == END_PAUSE):
        # Not (or no longer) offered, or no choice made: show the page as it is now, change nothing.
        return unsubscribe_page(request, page, link, language, view)
    until = None
    try:
        if choice == END_PAUSE:
            if pause_service.paused_until(view.contact, page) is not None:
                pause_service.end_pause(link=link, page=page)
        else:
            until = pause_service.pause(link=link, page=page, contact=view.contact, months=PAUSE_CHOICES[choice])
    except UnavailableError as error:
        return not_saved(request, page, link, language, view, error, "pause")
    return see_other(request, "unsubscribe_pause_done", page, link, language, confirmations.token(
        "pause", link, until=until.isoformat() if until else "",
    ))


@require_http_methods(["GET", "HEAD"])
@recipient_view
def unsubscribe_pause_done(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """"Paused until …" or "your pause has ended" (post/redirect/get), with the way to unsubscribe anyway."""
    page, link, facts, language = confirmation(request, slug, "pause")
    with translation.override(language):
        until = long_date(date.fromisoformat(facts["until"])) if facts.get("until") else ""
    return render_page(request, "unsubscribe_paused.html", {
        "until": until,
        "unsubscribe_url": page_url("unsubscribe", page, link, language) + "#unsubscribe-all",
    }, page=page, language=language, link=link)
