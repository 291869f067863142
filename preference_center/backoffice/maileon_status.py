"""Whether what a page configuration names exists in the Maileon account, for the marketer: the box on top of the
change form and the status column of the list of pages.

Three answers, never mixed up: everything found, these names missing (the recipient pages leave them out,
services/page_fit.py), or Maileon could not be asked. The list reads the account's definitions at most once per
view, however many rows it shows (the per-process cache of services/definitions.py), and stops asking after the
first failure, so a Maileon outage costs one timeout, not one per row.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import admin
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from ..maileon import MaileonError
from ..models import PageConfig
from ..services import definitions, page_fit
from .forms import MaileonChoices


class State(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class PageStatus:
    state: State
    missing: tuple[page_fit.Missing, ...] = ()

    @property
    def label(self) -> str:
        if self.state is State.OK:
            return gettext("OK")
        if self.state is State.MISSING:
            count = len(self.missing)
            return ngettext("%(count)d missing", "%(count)d missing", count) % {"count": count}
        return gettext("Maileon unreachable")


UNREACHABLE = PageStatus(State.UNREACHABLE)
ICONS = {State.OK: "icon-yes.svg", State.MISSING: "icon-alert.svg", State.UNREACHABLE: "icon-no.svg"}


def of_page(page: PageConfig) -> PageStatus:
    """`page` against the account, from the definitions as cached now (the caller decides how fresh)."""
    try:
        fit = page_fit.fit(page, with_transaction_type=True)
    except MaileonError:
        return UNREACHABLE
    return PageStatus(State.MISSING if fit.missing else State.OK, fit.missing)


def for_change_form(page: PageConfig, maileon: MaileonChoices) -> PageStatus:
    """The change form has just read the account for its pickers (`maileon`): when that failed, asking again for
    the status would only wait for the same timeout."""
    return of_page(page) if maileon.reachable else UNREACHABLE


def unchecked(page: PageConfig, maileon: MaileonChoices) -> list[str]:
    """What the page names that cannot be checked in advance, said plainly so "everything found" is not taken
    for more than it is."""
    notes = []
    if page.doi_mailing_key and not definitions.doi_mailing_refused(page.doi_mailing_key):
        notes.append(gettext(
            "The double opt-in mailing key %(key)s cannot be checked in advance: Maileon has no list of DOI "
            "mailings. Try \"send me the newsletter\" once with a test contact; if Maileon refuses the key, the "
            "page stops offering it and it is listed here.") % {"key": page.doi_mailing_key})
    if page.new_link_transaction_type is not None and maileon.reachable and maileon.transaction_types is None:
        notes.append(gettext(
            "Transaction type %(id)s could not be checked: this API key may not list transaction types.")
            % {"id": page.new_link_transaction_type})
    return notes


def of_pages(pages: Iterable[PageConfig]) -> dict[int, PageStatus]:
    """Per page id, for the list. The definitions are read afresh (at most every 30 s, definitions.recheck) and
    then shared by every row; after one failure the remaining rows are not asked for."""
    pages = list(pages)
    definitions.recheck()
    try:
        # What nearly every page needs; asked first so a page that names nothing of the account still says
        # "Maileon unreachable" rather than "OK" during an outage, as its change form does.
        definitions.custom_fields()
        definitions.categories()
    except MaileonError:
        return {page.pk: UNREACHABLE for page in pages}
    statuses, reachable = {}, True
    for page in pages:
        statuses[page.pk] = of_page(page) if reachable else UNREACHABLE
        reachable = statuses[page.pk] is not UNREACHABLE
    return statuses


class MaileonStatusColumn:
    """For PageConfigAdmin: a "Maileon" column saying OK, n missing, or Maileon unreachable for each row shown.
    Computed once per list view for the rows of the page of results, and kept on the row objects the changelist
    then renders (a list_display method is called without the request)."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("fields", "preference_groups")

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)  # evaluates the queryset once; the template iterates the same objects
        statuses = of_pages(rows)
        for page in rows:
            page._pc_maileon_status = statuses[page.pk]
        return changelist

    @admin.display(description=_("Maileon"))
    def maileon_status(self, page: PageConfig) -> str:
        status = getattr(page, "_pc_maileon_status", None)
        if status is None:
            return "–"
        # Django's own icons beside the words (never colour alone), so the column needs no stylesheet of ours.
        return format_html('<img src="{}" alt=""> <span class="pc-status pc-status--{}">{}</span>',
                           static(f"admin/img/{ICONS[status.state]}"), status.state.value, status.label)
