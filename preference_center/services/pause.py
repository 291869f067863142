"""Pause instead of leaving: the unsubscribe page writes an end date into the page's pause field (a custom field of
type date, e.g. PAUSE_UNTIL), and the marketer's target groups leave out contacts whose date is today or later
(README, "For marketers"). Maileon itself knows nothing of a pause: it is that date and those target groups.

"Today" is the server's date (settings.TIME_ZONE, UTC), not the contact's: a pause starting a few hours early or
late in another time zone makes no difference to a newsletter sent weeks later. A month is a calendar month: from
31 January, one month ends on the last day of February.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from dataclasses import dataclass

from django.utils import timezone

from ..account import get_client
from ..links import ContactLink
from ..maileon import Contact, ContactChanges, RejectedError
from ..models import KeptKind, PageConfig
from . import definitions, kept

logger = logging.getLogger(__name__)

PAUSE_MONTHS = (1, 3)


@dataclass(frozen=True)
class PauseState:
    """What the unsubscribe page offers: the current pause (None: not paused) and, per offered length, the day
    a pause (or an extension) chosen now would end."""

    until: datetime.date | None
    options: tuple[tuple[int, datetime.date], ...]


def today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def paused_until(contact: Contact, page: PageConfig) -> datetime.date | None:
    """The end of the contact's pause, if it has not passed yet (a date in the past is no pause)."""
    value = contact.custom_fields.get(page.pause_field) if page.pause_field else None
    try:
        until = datetime.date.fromisoformat(value[:10]) if value else None  # Maileon may add " HH:mm:ss"
    except ValueError:
        return None  # not a date we can read: not a pause we can show or extend
    return until if until is not None and until >= today() else None


def state(contact: Contact, page: PageConfig) -> PauseState:
    """An extension counts from the current end, so extending never shortens a pause."""
    until = paused_until(contact, page)
    start = max(until or today(), today())
    return PauseState(until, tuple((months, add_months(start, months)) for months in PAUSE_MONTHS))


def pause(*, link: ContactLink, page: PageConfig, contact: Contact, months: int) -> datetime.date:
    """Write the end of a pause of `months` (or of its extension) into the page's field; returns that day.
    `contact` is the read that proved the link and holds the current pause."""
    if months not in PAUSE_MONTHS:
        raise ValueError(f"a pause lasts one of {PAUSE_MONTHS} months, not {months}")
    current = state(contact, page)
    until = dict(current.options)[months]
    _write(link, page, until.isoformat())
    kept.record(KeptKind.PAUSE_EXTENDED if current.until else KeptKind.PAUSE_STARTED, link=link, page=page)
    return until


def end_pause(*, link: ContactLink, page: PageConfig) -> None:
    """Clear the page's field: the contact's target groups take them in again at the next mailing."""
    _write(link, page, None)


def _write(link: ContactLink, page: PageConfig, value: str | None) -> None:
    try:
        get_client().update_contact(
            contact_id=link.contact_id, checksum=link.checksum, page_key=page.page_key, src=page.src,
            changes=ContactChanges(custom_fields={page.pause_field: value}),
        )
    except RejectedError as error:
        if error.status == 400:
            # Perhaps the field was renamed or deleted in Maileon since the definitions were read: read them
            # afresh, so the next view no longer offers a pause the account cannot take.
            definitions.recheck()
            logger.warning("page %s: Maileon refused the pause field %r", page.slug, page.pause_field)
        raise
