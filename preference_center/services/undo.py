""""I unsubscribed by mistake": one button on the unsubscribe confirmation, for a while, undoes the unsubscribe
without the recipient typing anything.

What undoing means depends on how far the unsubscribe got:
- not yet in Maileon (pending, or failed): the row is withdrawn and never sent; Maileon hears nothing;
- in Maileon: the recipient must prove the address again, so Maileon's double opt-in starts. Maileon has usually
  anonymized the contact, so it is created again by email (`doi=true`, the page's DOI mailing) from the address
  the unsubscribe's own read returned; where the contact is still there without permission, it is updated by id
  with `permission=4&triggerdoi=true` instead (a proven link, as for every write by id).

The address is the one the page carried for these minutes inside a sealed token (pages/confirmations.py); this
module keeps it nowhere.
"""

from __future__ import annotations

import enum
import logging
from datetime import timedelta

from django.utils import timezone

from ..account import get_client
from ..delivery import outbox
from ..links import ContactLink
from ..maileon import ContactChanges, MaileonError, Permission, RejectedError
from ..models import KeptKind, PageConfig, Status, UnsubscribeRequest
from . import definitions, kept, way_back

logger = logging.getLogger(__name__)

# How long after the unsubscribe the button is offered: long enough to notice a slip on the confirmation page,
# short enough that the address it carries is not around for long.
WINDOW_SECONDS = 30 * 60
# Maileon carries an accepted unsubscribe out "in the background" (maileon-api.md), seconds later as a rule: until
# then it still reports the permission, and a double opt-in asked now would be undone by that unsubscribe. GUESS:
# after this long, a contact still subscribed is one Maileon did not unsubscribe at all.
MAILEON_PROCESSING = timedelta(minutes=5)


class Undo(enum.Enum):
    WITHDRAWN = "withdrawn"  # it never reached Maileon and never will
    DOI_SENT = "doi_sent"  # Maileon sends the double opt-in mail
    ALREADY_SENT = "already_sent"  # one was sent for this contact a moment ago
    STILL_SUBSCRIBED = "still_subscribed"  # Maileon never carried the unsubscribe out: nothing to undo
    BUSY = "busy"  # being passed on to, or carried out by, Maileon this very moment: ask again in a minute
    NEEDS_ADDRESS = "needs_address"  # gone from Maileon, and the unsubscribe was made without our read
    NOT_OFFERED = "not_offered"  # the page has no double opt-in mailing (or Maileon refuses it)


def offered(page: PageConfig, row: UnsubscribeRequest) -> bool:
    """Whether the button can do something: withdraw what has not been sent, or start a double opt-in."""
    return row.status in (Status.PENDING, Status.FAILED) or way_back.offered(page)


def undo_unsubscribe(*, link: ContactLink, page: PageConfig, request_id: str, email: str) -> Undo:
    """Undo the unsubscribe `request_id` of `link`'s contact (the sealed token's facts; `email` may be "")."""
    row = UnsubscribeRequest.objects.filter(public_id=request_id, contact_id=link.contact_id).first()
    if row is None:
        return Undo.NOT_OFFERED  # no longer on record: nothing we could undo
    if row.status == Status.WITHDRAWN:
        return Undo.WITHDRAWN  # withdrawn a moment ago (a second press of the button)
    if row.status in (Status.PENDING, Status.FAILED):
        if outbox.withdraw(row):
            logger.info("unsubscribe %s of contact %s withdrawn by the recipient", row.public_id, link.contact_id)
            kept.record(KeptKind.WITHDRAWN, link=link, page=page)
            return Undo.WITHDRAWN
        row.refresh_from_db()
        if row.status != Status.DELIVERED:
            return Undo.BUSY
    return _subscribe_again(link=link, page=page, row=row, email=email)


def _subscribe_again(*, link: ContactLink, page: PageConfig, row: UnsubscribeRequest, email: str) -> Undo:
    if not way_back.offered(page):
        return Undo.NOT_OFFERED
    # A read first, as before every write by id: it proves the link, and tells whether Maileon has anonymized the
    # contact (only the address finds it then) or still holds it.
    contact = get_client().get_contact(contact_id=link.contact_id, checksum=link.checksum)
    if not contact.has_left and contact.permission not in (None, Permission.NONE):
        recently = row.delivered_at is not None and timezone.now() - row.delivered_at < MAILEON_PROCESSING
        return Undo.BUSY if recently else Undo.STILL_SUBSCRIBED
    if contact.has_left and not email:
        return Undo.NEEDS_ADDRESS
    if not way_back.claim_interval(link.contact_id):
        return Undo.ALREADY_SENT
    try:
        if contact.has_left:
            get_client().create_contact_by_email(email=email, doi_mailing=page.doi_mailing_key, src=page.src)
        else:
            get_client().update_contact(
                contact_id=link.contact_id, checksum=link.checksum, changes=ContactChanges(), src=page.src,
                page_key=page.page_key, permission=Permission.DOUBLE_OPT_IN, trigger_doi=True,
                doi_mailing=page.doi_mailing_key,
            )
    except MaileonError as error:
        way_back.release_interval(link.contact_id)  # nothing was sent: the recipient may press again at once
        if isinstance(error, RejectedError) and error.status == 400:
            definitions.note_refused_doi_mailing(page.doi_mailing_key)
            logger.warning("page %s: Maileon refused the double opt-in after a mistaken unsubscribe with DOI "
                           "mailing %r", page.slug, page.doi_mailing_key)
            return Undo.NOT_OFFERED
        raise
    UnsubscribeRequest.objects.filter(pk=row.pk, mistake_reported_at__isnull=True).update(
        mistake_reported_at=timezone.now()
    )
    logger.info("double opt-in requested for contact %s after a mistaken unsubscribe", link.contact_id)
    kept.record(KeptKind.MISTAKE_DOI, link=link, page=page)
    return Undo.DOI_SENT
