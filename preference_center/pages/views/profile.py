"""The profile page: fields and topics, saved in one go; its confirmation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import confirmations
from ..forms import ProfileForm, changed_labels
from ..rendering import page_url, render_page, resolve_page
from ...services import profile as profile_service
from .common import action_url, already_left, checked_link, confirmation, language_for, recipient_view, see_other


@require_http_methods(["GET", "HEAD", "POST"])
@recipient_view
def profile(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = resolve_page(slug)  # with its fields and preference groups
    link = checked_link(request)
    view = profile_service.load_profile(link=link, page=page)
    contact = view.contact
    language = language_for(request, page, contact)
    if contact.has_left:
        return already_left(request, page, link, language)
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
                return see_other(request, "profile_saved", page, link, language, confirmations.token(
                    "profile_saved", link, saved=result.saved, opt_in=_opt_in_news(result),
                    **form.changed_names(result.changes),
                ))
        return render_page(request, "profile.html", {
            "form": form,
            "contact": contact,
            "action": action_url(request, link, language),
            "intro": page.text("profile_intro", language),
            "unsubscribe_url": page_url("unsubscribe", page, link, language),
        }, page=page, language=language, link=link)


def _opt_in_news(result: profile_service.ProfileResult) -> str:
    return "requested" if result.opt_in_requested else "refused" if result.opt_in_refused else ""


@require_http_methods(["GET", "HEAD"])
@recipient_view
def profile_saved(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """What a profile save did (post/redirect/get): from the confirmation's token, without asking Maileon."""
    page, link, facts, language = confirmation(request, slug, "profile_saved")
    with translation.override(language):
        changed = changed_labels(page, language, fields=facts.get("fields", ()),
                                 categories=facts.get("categories", ()), email=facts.get("email", False))
    return render_page(request, "profile_saved.html", {
        "saved": facts.get("saved", False),
        "opt_in": facts.get("opt_in", ""),
        "changed": changed,
        "profile_url": page_url("profile", page, link, language),
    }, page=page, language=language, link=link)
