"""The profile page's use cases: read what a page shows, save what the recipient changed, and the unsubscribe
page's one-button down-sell ("fewer mails instead").

Only the page's fields and categories are read or written: categories a page does not show are never sent,
so never reset. Every write carries the page's `page_key` and `src` (Maileon's DOI reports name the page).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import LOCALE_FIELD, STANDARD_FIELDS
from ..links import ContactLink
from ..maileon import Contact, ContactChanges, Permission, Preference, PreferenceDefinition, RejectedError
from ..models import FieldSource, PageConfig
from .account import get_client, preference_definitions


class EmailInUseError(Exception):
    """Maileon refused the new address: another contact already uses it. The form says so."""


@dataclass(frozen=True)
class ProfileResult:
    changes: ContactChanges
    saved: bool  # a PUT was made (False: nothing had changed)
    opt_in_requested: bool  # Maileon was asked to send the double opt-in mail


def _page_field_names(page: PageConfig) -> tuple[list[str], list[str]]:
    standard, custom = [], []
    for field in page.fields.all():
        if field.source == FieldSource.STANDARD and field.name not in STANDARD_FIELDS:
            continue  # not writable (the admin prevents it); Maileon would refuse the read
        (standard if field.source == FieldSource.STANDARD else custom).append(field.name)
    # LOCALE is always read: it decides the page's language when the link has no `lang`.
    return list(dict.fromkeys([*standard, LOCALE_FIELD])), list(dict.fromkeys(custom))


def load_profile(*, link: ContactLink, page: PageConfig) -> Contact:
    """One read: the page's standard fields (+ LOCALE), custom fields and preference categories."""
    standard, custom = _page_field_names(page)
    return get_client().get_contact(
        contact_id=link.contact_id,
        checksum=link.checksum,
        standard_fields=standard,
        custom_fields=custom,
        preference_categories=[group.category for group in page.preference_groups.all()],
    )


def read_contact(*, link: ContactLink) -> Contact:
    """The smallest read that proves the link (address, permission and LOCALE), e.g. for the unsubscribe page."""
    return get_client().get_contact(
        contact_id=link.contact_id, checksum=link.checksum, standard_fields=[LOCALE_FIELD]
    )


def page_preferences(page: PageConfig) -> dict[str, list[PreferenceDefinition]]:
    """The preferences each of the page's categories offers, from the account's cached definitions."""
    return {group.category: preference_definitions(group.category) for group in page.preference_groups.all()}


def update_profile(
    *, link: ContactLink, page: PageConfig, contact: Contact, changes: ContactChanges, opt_in: bool
) -> ProfileResult:
    """Save `changes` (computed against `contact`, the read this form was built from).

    The opt-in is requested only when the contact has no permission and the page names a DOI mailing: then
    Maileon starts a double opt-in (permission 4 + triggerdoi) and the permission changes on confirmation.
    Nothing changed and no opt-in: no PUT at all.
    """
    request_opt_in = bool(opt_in and page.doi_mailing_key and contact.permission is Permission.NONE)
    if not changes and not request_opt_in:
        return ProfileResult(changes=changes, saved=False, opt_in_requested=False)
    opt_in_params = (
        {"permission": Permission.DOUBLE_OPT_IN, "trigger_doi": True, "doi_mailing": page.doi_mailing_key}
        if request_opt_in else {}
    )
    try:
        get_client().update_contact(
            contact_id=link.contact_id,
            checksum=link.checksum,
            changes=changes,
            page_key=page.page_key,
            src=page.src,
            **opt_in_params,
        )
    except RejectedError as error:
        if "email" in error.field_errors:
            raise EmailInUseError() from error
        raise
    return ProfileResult(changes=changes, saved=True, opt_in_requested=request_opt_in)


def switch_to_downsell(*, link: ContactLink, page: PageConfig) -> None:
    """Set the page's down-sell preference and clear the others of its category: it is a switch
    (e.g. Frequenz: Monatlicher Digest on, Wöchentlich off). Other categories stay untouched."""
    category, chosen = page.downsell_category, page.downsell_preference
    if not (category and chosen):
        raise ValueError("this page offers no down-sell switch")
    others = [d.name for d in preference_definitions(category) if d.name != chosen]
    preferences = [Preference(chosen, category, True, page.src or None)]
    preferences += [Preference(name, category, False, page.src or None) for name in others]
    get_client().update_contact(
        contact_id=link.contact_id,
        checksum=link.checksum,
        changes=ContactChanges(preferences=tuple(preferences)),
        page_key=page.page_key,
        src=page.src,
    )
