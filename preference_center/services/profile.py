"""The profile page's use cases: read what a page shows, save what the recipient changed, and the unsubscribe
page's one-button down-sell ("fewer mails instead").

Only the page's fields and categories are read or written: categories a page does not show are never sent,
so never reset. Every write carries the page's `page_key` and `src` (Maileon's DOI reports name the page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from .standard_fields import LOCALE_FIELD
from ..links import ContactLink
from ..maileon import Contact, ContactChanges, InvalidLinkError, Permission, Preference, RejectedError
from ..models import KeptKind, PageConfig
from . import definitions, kept
from ..account import get_client
from .page_fit import PageFit, fit

logger = logging.getLogger(__name__)


class EmailInUseError(Exception):
    """Maileon refused the new address: another contact already uses it. The form says so."""


@dataclass(frozen=True)
class ProfileResult:
    changes: ContactChanges
    saved: bool  # a PUT was made (False: nothing had changed)
    opt_in_requested: bool  # Maileon was asked to send the double opt-in mail
    opt_in_refused: bool = False  # the opt-in was asked for, but Maileon refused the page's DOI mailing


@dataclass(frozen=True)
class ProfileView:
    """A contact as one page shows it: the read, and what of the page the account has."""

    contact: Contact
    fit: PageFit


def load_profile(*, link: ContactLink, page: PageConfig) -> ProfileView:
    """One read: the page's standard fields (+ LOCALE), custom fields and preference categories, as far as the
    account has them."""
    contact, page_fit = _read_with_recheck(link, page, lambda fitted: _Names(
        # LOCALE is always read: it decides the page's language when the link has no `lang`.
        standard=(*dict.fromkeys([*fitted.standard_field_names, LOCALE_FIELD]),),
        custom=(*dict.fromkeys(fitted.custom_field_names),),
        categories=(*fitted.categories,),
    ))
    return ProfileView(contact, page_fit)


def read_contact(*, link: ContactLink) -> Contact:
    """The smallest read that proves the link (address, permission status and LOCALE), e.g. for the way back."""
    return _read(link, _Names(standard=(LOCALE_FIELD,)))


def load_unsubscribe(*, link: ContactLink, page: PageConfig) -> ProfileView:
    """One read for the unsubscribe page: LOCALE, the page's preference categories (its topics, current values
    shown, and the down-sell's category) and its pause field, as far as the account has them. It proves the link
    too, so the page's writes (topics, pause, down-sell) follow it."""
    contact, page_fit = _read_with_recheck(link, page, lambda fitted: _Names(
        standard=(LOCALE_FIELD,),
        custom=(page.pause_field,) if fitted.pause else (),
        categories=(*dict.fromkeys([*fitted.categories, *([page.downsell_category] if fitted.downsell else [])]),),
    ))
    return ProfileView(contact, page_fit)


@dataclass(frozen=True)
class _Names:
    """What a read asks Maileon for."""

    standard: tuple[str, ...] = ()
    custom: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def _read_with_recheck(
    link: ContactLink, page: PageConfig, names_of: Callable[[PageFit], _Names]
) -> tuple[Contact, PageFit]:
    """Read what `names_of` asks for of the page as the account has it. A name Maileon refuses although the
    cached definitions still had it (renamed a moment ago) makes us read the definitions afresh and the contact
    again without it; a 400 may be about a name as well as about the link, and only fresher definitions tell."""
    page_fit = fit(page)
    names = names_of(page_fit)
    try:
        return _read(link, names), page_fit
    except InvalidLinkError as error:
        if error.status != 400 or not (names.custom or names.categories) or not definitions.recheck():
            raise
        fresh = fit(page)
        if names_of(fresh) == names:
            raise
        logger.warning("page %s: Maileon refused a name on read; read again without what the account lacks",
                       page.slug)
        return _read(link, names_of(fresh)), fresh


def _read(link: ContactLink, names: _Names) -> Contact:
    return get_client().get_contact(
        contact_id=link.contact_id, checksum=link.checksum, standard_fields=names.standard,
        custom_fields=names.custom, preference_categories=names.categories,
    )


def offers_downsell(page: PageConfig) -> bool:
    """The page has a down-sell switch and the account still has its preference."""
    return page.offers_downsell_switch and fit(page).downsell


def downsell_suits(page: PageConfig, contact: Contact) -> bool:
    """Offer "fewer mails instead" only to a contact who gets newsletters and whom the switch would change: who
    does not have that preference yet, or has others of its category on beside it (e.g. weekly and monthly both,
    set elsewhere); the switch leaves exactly that preference on, as a single-choice group's save does."""
    if not offers_downsell(page) or contact.has_left or contact.permission in (None, Permission.NONE):
        return False
    held = {p.name for p in contact.preferences if p.category == page.downsell_category and p.value}
    return held != {page.downsell_preference}


def update_profile(
    *, link: ContactLink, page: PageConfig, view: ProfileView, changes: ContactChanges, opt_in: bool,
    counted_as: KeptKind = KeptKind.PROFILE_SAVED,
) -> ProfileResult:
    """Save `changes` (computed against `view`, the read this form was built from), and count the save as
    `counted_as` (the unsubscribe page's topics: KeptKind.TOPICS) when anything was sent."""
    result = _update_profile(link=link, page=page, view=view, changes=changes, opt_in=opt_in)
    if result.saved or result.opt_in_requested:
        kept.record(counted_as, link=link, page=page)
    return result


def _update_profile(
    *, link: ContactLink, page: PageConfig, view: ProfileView, changes: ContactChanges, opt_in: bool
) -> ProfileResult:
    """Save `changes` (computed against `view`, the read this form was built from).

    The opt-in is requested only when the contact has no permission and the page names a DOI mailing the account
    has not refused: then Maileon starts a double opt-in (permission 4 + triggerdoi) and the permission changes
    on confirmation. Nothing changed and no opt-in: no PUT at all. What Maileon refuses as unknown (the DOI
    mailing, a field renamed since the read) is left out and the rest saved, never the whole save lost.
    """
    request_opt_in = bool(opt_in and view.fit.doi_mailing and view.contact.permission is Permission.NONE)
    if not changes and not request_opt_in:
        return ProfileResult(changes=changes, saved=False, opt_in_requested=False)
    try:
        _put(link, page, changes, opt_in=request_opt_in)
    except RejectedError as error:
        if "email" in error.field_errors:
            raise EmailInUseError() from error
        if error.status != 400:
            raise
        if request_opt_in:
            return _save_without_opt_in(link, page, changes, refusal=error)
        return _save_without_missing_names(link, page, changes, refusal=error)
    return ProfileResult(changes=changes, saved=True, opt_in_requested=request_opt_in)


def _put(link: ContactLink, page: PageConfig, changes: ContactChanges, *, opt_in: bool) -> None:
    opt_in_params = (
        {"permission": Permission.DOUBLE_OPT_IN, "trigger_doi": True, "doi_mailing": page.doi_mailing_key}
        if opt_in else {}
    )
    get_client().update_contact(
        contact_id=link.contact_id, checksum=link.checksum, changes=changes, page_key=page.page_key, src=page.src,
        **opt_in_params,
    )


def _save_without_opt_in(
    link: ContactLink, page: PageConfig, changes: ContactChanges, *, refusal: RejectedError
) -> ProfileResult:
    """A 400 with an opt-in: if the same PUT without it succeeds, Maileon refused the DOI mailing key (GUESS:
    its answer to an unknown key is undocumented). The page stops offering the opt-in until it is fixed."""
    try:
        _put(link, page, changes, opt_in=False)
    except RejectedError as error:
        if "email" in error.field_errors:
            raise EmailInUseError() from error
        raise refusal from error
    definitions.note_refused_doi_mailing(page.doi_mailing_key)
    logger.warning("page %s: Maileon refused the double opt-in with DOI mailing %r; the page stops offering it",
                   page.slug, page.doi_mailing_key)
    return ProfileResult(changes=changes, saved=bool(changes), opt_in_requested=False, opt_in_refused=True)


def _save_without_missing_names(
    link: ContactLink, page: PageConfig, changes: ContactChanges, *, refusal: RejectedError
) -> ProfileResult:
    """A 400 for a save whose names the account may have lost since the read: read the definitions afresh and
    send again what the account still has."""
    if not (changes.custom_fields or changes.preferences) or not definitions.recheck():
        raise refusal
    fresh = fit(page)
    custom = set(fresh.custom_field_names)
    kept = ContactChanges(
        email=changes.email,
        standard_fields=changes.standard_fields,
        custom_fields={name: value for name, value in changes.custom_fields.items() if name in custom},
        preferences=tuple(p for p in changes.preferences
                          if any(d.name == p.name for d in fresh.preferences_of(p.category))),
    )
    if kept == changes:
        raise refusal
    logger.warning("page %s: Maileon refused a name on save; saved again without what the account lacks",
                   page.slug)
    if kept:
        _put(link, page, kept, opt_in=False)
    return ProfileResult(changes=kept, saved=bool(kept), opt_in_requested=False)


def switch_to_downsell(*, link: ContactLink, page: PageConfig) -> None:
    """Set the page's down-sell preference and clear the others of its category: it is a switch
    (e.g. Frequenz: Monatlicher Digest on, Wöchentlich off). Other categories stay untouched."""
    category, chosen = page.downsell_category, page.downsell_preference
    if not (category and chosen):
        raise ValueError("this page offers no down-sell switch")
    others = [d.name for d in definitions.preferences(category) or () if d.name != chosen]
    preferences = [Preference(chosen, category, True, page.src or None)]
    preferences += [Preference(name, category, False, page.src or None) for name in others]
    get_client().update_contact(
        contact_id=link.contact_id,
        checksum=link.checksum,
        changes=ContactChanges(preferences=tuple(preferences)),
        page_key=page.page_key,
        src=page.src,
    )
    kept.record(KeptKind.DOWNSELL, link=link, page=page)
