"""A broken link is not a dead end: a recipient types their address and Maileon sends them a fresh personal link,
through the page's transaction type (`POST /transactions`; its trigger mailing carries [CONTACT|ID] and
[CONTACT|CHECKSUM]).

Nobody may learn from this whether an address is on the list: every valid request gets the same outcome, and
Maileon is asked the same way whether the address exists or not (ignore_invalid_transactions: an unknown address
is "not queued", no error). The address goes to Maileon once and is forgotten: the per-address limit counts a
keyed hash of it, logs carry the page only.
"""

from __future__ import annotations

import enum
import logging

from ..account import get_client
from ..maileon import RejectedError, UnavailableError
from ..models import PageConfig
from . import definitions
from .sliding_window import SlidingWindow

logger = logging.getLogger(__name__)

# Per email address: a recipient who mistypes or loses a mail can ask again, while nobody can flood one inbox
# with our mails. Beyond it the recipient is told the same as always, and nothing is sent.
PER_EMAIL = SlidingWindow("new-link-email", ceiling=3, seconds=3600)


class NewLink(enum.Enum):
    REQUESTED = "requested"  # asked of Maileon, or (per-email limit) quietly not: the recipient is told the same
    REFUSED = "refused"  # Maileon refused the page's transaction type: nothing can be sent from this page now
    NOT_OFFERED = "not_offered"  # the page names no transaction type (or one Maileon refused lately)


def offered(page: PageConfig) -> bool:
    type_id = page.new_link_transaction_type
    return bool(type_id) and type_id > 0 and not definitions.transaction_type_refused(type_id)


def normalized(email: str) -> str:
    """One spelling per address for the limit: Maileon finds addresses case-insensitively (our guess)."""
    return email.strip().casefold()


def request_new_link(*, page: PageConfig, email: str) -> NewLink:
    """Ask Maileon to send `page`'s new-link mailing to `email` (a syntactically valid address). UnavailableError
    when Maileon cannot be reached (the recipient may try again); RejectedError when it refuses our key."""
    if not offered(page):
        return NewLink.NOT_OFFERED
    slot = PER_EMAIL.take(normalized(email))
    if slot is None:
        logger.info("new link for page %s: asked too often for this address lately, nothing sent", page.slug)
        return NewLink.REQUESTED
    type_id = page.new_link_transaction_type
    try:
        report = get_client().create_transaction(type_id=type_id, email=email)
    except RejectedError as error:
        PER_EMAIL.give_back(slot)  # Maileon refused the call: nothing was sent
        if error.status == 400:
            # GUESS: with ignore_invalid_transactions an unknown address is no 400, so a 400 is about our call:
            # the page's type (renamed, deleted, another account's). Pages stop offering it for a while.
            definitions.note_refused_transaction_type(type_id)
            logger.warning("page %s: Maileon refused transaction type %s for a new link: %s", page.slug, type_id,
                           error.message)
            return NewLink.REFUSED
        raise
    except UnavailableError as error:
        if error.status is not None:
            PER_EMAIL.give_back(slot)  # Maileon answered "not now": nothing was queued
        # Without an answer the mail may be on its way: the slot stays taken, so retries stay within the limit.
        raise
    logger.info("new link for page %s: transaction type %s handed to Maileon (queued: %s)", page.slug, type_id,
                "unknown" if report.queued is None else report.queued)
    return NewLink.REQUESTED
