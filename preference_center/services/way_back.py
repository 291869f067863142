"""The way back for a contact who unsubscribed before and opens an old link: Maileon has anonymized them, so
only the address the recipient types finds them again, and a double opt-in mail proves that it is theirs.

Nothing about the address is kept: it goes to Maileon once and is forgotten (logs carry the contact id only).
"""

from __future__ import annotations

import enum
import logging

from django.core.cache import cache

from ..links import ContactLink
from ..maileon import Contact, MaileonError, RejectedError
from ..models import KeptKind, PageConfig
from . import definitions, kept
from ..account import get_client

logger = logging.getLogger(__name__)

# One double opt-in mail per old link in this time: a link forwarded to someone else must not turn into a way
# of sending our mails to any address over and over.
INTERVAL_SECONDS = 600


class WayBack(enum.Enum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"  # one was sent for this link a moment ago
    REFUSED = "refused"  # Maileon refused the page's DOI mailing
    NOT_OFFERED = "not_offered"  # the page has no DOI mailing, or the contact has not left


def offered(page: PageConfig) -> bool:
    return bool(page.doi_mailing_key) and not definitions.doi_mailing_refused(page.doi_mailing_key)


def request_way_back(*, link: ContactLink, page: PageConfig, contact: Contact, email: str) -> WayBack:
    """Ask Maileon to send the page's DOI mailing to `email` (Create Contact by email, doi=true). `contact` is
    the read that proved `link`; only a contact who has left is offered this (the others have the profile's
    opt-in)."""
    if not offered(page) or not contact.has_left:
        return WayBack.NOT_OFFERED
    if not claim_interval(link.contact_id):
        return WayBack.ALREADY_SENT
    try:
        get_client().create_contact_by_email(email=email, doi_mailing=page.doi_mailing_key, src=page.src)
    except MaileonError as error:
        release_interval(link.contact_id)  # nothing was sent: the recipient may try again at once
        if isinstance(error, RejectedError) and error.status == 400:
            # GUESS (as for the profile's opt-in): a 400 here is Maileon refusing the page's DOI mailing key.
            definitions.note_refused_doi_mailing(page.doi_mailing_key)
            logger.warning("page %s: Maileon refused the way back with DOI mailing %r", page.slug,
                           page.doi_mailing_key)
            return WayBack.REFUSED
        raise
    logger.info("double opt-in requested for the way back of contact %s", link.contact_id)
    kept.record(KeptKind.WAY_BACK, link=link, page=page)
    return WayBack.SENT


def claim_interval(contact_id: int) -> bool:
    """True if no double opt-in was asked for this contact in the last INTERVAL_SECONDS (the way back and the
    "unsubscribed by mistake" button share it: one mail per contact, whichever asks)."""
    return cache.add(f"way-back:{contact_id}", 1, INTERVAL_SECONDS)


def release_interval(contact_id: int) -> None:
    cache.delete(f"way-back:{contact_id}")
