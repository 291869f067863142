"""Unsubscribe use cases: record the recipient's wish durably, try once to deliver it, take a reason later.

The promise to the recipient is the committed `UnsubscribeRequest` row. Maileon hears about it through the
delivery outbox (`delivery/outbox.py`), which the worker drains and `request_unsubscribe` tries once inline; the
outbox owns leases and outcomes, so the two can never deliver the same row at once.
"""

from __future__ import annotations

import hmac
import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..links import ContactLink
from ..redaction import mask_email_addresses
from ..maileon import Contact, InvalidLinkError, ProtocolError, RejectedError, UnavailableError
from ..models import PageConfig, Status, UnsubscribeReason, UnsubscribeRequest, Via
from ..delivery import outbox
from ..account import get_client

logger = logging.getLogger(__name__)

# A second submission within this time (reload, double click, one-click plus page) is the same unsubscribe.
REPEAT_WINDOW = timedelta(hours=24)
MAX_MESSAGE_CHARS = 500  # UnsubscribeRequest.reason_message


class RecordingFailedError(Exception):
    """The database did not take the unsubscribe (still locked after its timeout, or down): nothing is recorded
    and Maileon was not asked, so the recipient must be told to try again, never that it worked."""


@dataclass(frozen=True)
class UnsubscribeOutcome:
    row: UnsubscribeRequest | None  # None: the contact had already left, nothing was recorded
    delivered: bool  # Maileon has accepted it (so far: the worker may still deliver it moments later)
    repeated: bool  # an earlier submission already recorded this unsubscribe; nothing new was sent
    # The address of the read that verified the link (None: unverified), for "unsubscribed by mistake" only:
    # kept in no row, never in a repr (logs).
    email: str | None = field(default=None, repr=False)

    @property
    def already_left(self) -> bool:
        return self.row is None


def request_unsubscribe(
    *,
    link: ContactLink,
    page: PageConfig | None,
    reason: UnsubscribeReason | None,
    message: str,
    via: Via,
    language: str,
    suspected_automation: tuple[bool, str] = (False, ""),
) -> UnsubscribeOutcome:
    """Record the unsubscribe (committed before Maileon is called), then try once to deliver it.

    InvalidLinkError (Maileon refused id + checksum) propagates and nothing is recorded. If Maileon cannot be
    asked, the unsubscribe is recorded anyway, unverified; the worker verifies it before sending.
    RecordingFailedError: the database could not record it (nothing recorded, nothing sent).
    `suspected_automation`: the page's verdict (suspected, evidence), kept for marketers to review.
    """
    contact = _verify_link(link)
    if contact is not None and contact.has_left:
        # Maileon already has them out (and anonymized): nothing to record, nothing to send.
        return UnsubscribeOutcome(row=None, delivered=True, repeated=True)
    # Verified: inserted already leased to this request, for its inline attempt below.
    lease = outbox.lease_for_insert(timezone.now()) if contact is not None else {}
    row, repeated = _record_or_fail(link=link, fields=dict(
        **lease, **_row_fields(link, page=page, via=via, language=language, suspected=suspected_automation),
        verified=contact is not None, **reason_fields(reason, message),
    ))
    email = contact.email if contact is not None else None
    if repeated:
        return UnsubscribeOutcome(row=row, delivered=row.status == Status.DELIVERED, repeated=True, email=email)
    if contact is None:
        # Maileon did not answer the read a moment ago: spare the recipient a second wait; the worker delivers.
        return UnsubscribeOutcome(row=row, delivered=False, repeated=False)
    try:
        delivered = _deliver_after_commit(row, contact)
        if not (delivered and row.status == Status.DELIVERED):
            row.refresh_from_db()  # a delivered row is as the attempt saved it (outbox._delivered); others are read
    except DatabaseError as error:
        # The row is committed: only the inline attempt's bookkeeping failed. Its lease runs out and the worker
        # delivers the row (a repeat Maileon already has is harmless), so the recipient is told "recorded".
        logger.warning("unsubscribe %s of contact %s: inline attempt not saved (%s); the worker takes over",
                       row.public_id, link.contact_id, _describe_database_error(error))
        return UnsubscribeOutcome(row=row, delivered=False, repeated=False, email=email)
    return UnsubscribeOutcome(row=row, delivered=delivered, repeated=False, email=email)


# Unverified one-clicks a contact may have recorded while its link checks are blocked (see record_unverified):
# enough for a genuine one among a guesser's, few enough that a guesser cannot turn them into Maileon reads.
UNVERIFIED_WHILE_BLOCKED = 20


def record_unverified(
    *, link: ContactLink, page: PageConfig | None, via: Via, language: str, counted_since: datetime,
    suspected_automation: tuple[bool, str] = (False, ""),
) -> UnsubscribeOutcome | None:
    """Record an unsubscribe without asking Maileon (the worker verifies it before sending), for a one-click
    that arrives while someone is guessing this contact's checksum: Maileon's answer would tell them whether
    the guess was right, and a 429 might lose a genuine one-click. None (nothing recorded) when the contact has
    had UNVERIFIED_WHILE_BLOCKED such requests since `counted_since`. RecordingFailedError as for any request."""
    earlier = UnsubscribeRequest.objects.filter(contact_id=link.contact_id, verified=False, via=via,
                                                created_at__gte=counted_since)
    if earlier.count() >= UNVERIFIED_WHILE_BLOCKED:
        return None
    row, repeated = _record_or_fail(link=link, fields=dict(
        **_row_fields(link, page=page, via=via, language=language, suspected=suspected_automation),
        verified=False, **reason_fields(None, ""),
    ))
    logger.warning("unsubscribe of contact %s recorded unverified: its link checks are blocked", link.contact_id)
    return UnsubscribeOutcome(row=row, delivered=False, repeated=repeated)


def add_reason_later(
    *, link: ContactLink, page: PageConfig | None, reason: UnsubscribeReason, message: str
) -> None:
    """The recipient's "tell us more" on the confirmation page, for an unsubscribe recorded without a reason.

    Still pending: the reason joins the row made with this link's checksum and travels with the unsubscribe (no
    extra call). Delivered: the link is proven first by a read of ours (checksum compared), then Maileon gets
    the reason through Adding Unsubscription Reason, now, or from the worker when Maileon has not processed the
    unsubscribe yet (400) or cannot be reached. A link we cannot prove (Maileon unreachable for the read) is not
    taken: UnavailableError, the recipient sends it again later; so a forgery made during an outage can never
    hold the place of the genuine reason. A reason already given is kept; a second one changes nothing.
    InvalidLinkError when the link matches no request or Maileon's checksum. `page` is accepted for symmetry
    with the other use cases; the row remembers its own page.
    """
    row = _request_of(link)
    if row is None:
        raise InvalidLinkError("no unsubscribe recorded for this link", operation="add_reason_later")
    if row.reason_type:
        return
    fields = {**reason_fields(reason, message), "reason_added_later": True}
    if row.status in (Status.PENDING, Status.FAILED):
        if not _same_checksum(row.checksum, link.checksum):
            raise InvalidLinkError("checksum does not match the recorded unsubscribe", operation="add_reason_later")
        if UnsubscribeRequest.objects.filter(pk=row.pk, status=row.status, reason_type="").update(**fields):
            return  # travels with the unsubscribe (or its job, if it is delivered meanwhile)
        row.refresh_from_db()  # delivered in the meantime
        if row.reason_type or row.status != Status.DELIVERED:
            return
    get_client().get_contact(contact_id=link.contact_id, checksum=link.checksum)  # proves the link, or raises
    with transaction.atomic():
        if not UnsubscribeRequest.objects.filter(pk=row.pk, reason_type="").update(**fields):
            return  # a simultaneous submission gave the reason first
        row.refresh_from_db()
        job = outbox.queue_later_reason(row, checksum=link.checksum, leased=True)
    if job is None:
        return
    result = outbox.attempt(job)
    if isinstance(result.error, InvalidLinkError):
        # Maileon refused this link's checksum on the reasons call although our read accepted it: the reason was
        # not the recipient's to give. The job stays, failed, for the record.
        UnsubscribeRequest.objects.filter(pk=row.pk, reason_type=fields["reason_type"]).update(
            reason=None, reason_type="", reason_message="", reason_added_later=False
        )
        raise result.error


def _request_of(link: ContactLink) -> UnsubscribeRequest | None:
    """The newest request this link may add a reason to: a delivered one (the reason call proves the link
    itself), or one recorded with this very checksum."""
    rows = UnsubscribeRequest.objects.filter(contact_id=link.contact_id).order_by("-created_at", "-pk")
    return next((row for row in rows[:20]
                 if row.status == Status.DELIVERED or _same_checksum(row.checksum, link.checksum)), None)


# --- the row's reason, on both sides of the wire


def reason_fields(reason: UnsubscribeReason | None, message: str) -> dict:
    """Reason FK, Maileon type and message. Whatever the recipient typed is kept, with any reason or none: the
    text box is offered with every answer, and nothing a recipient submitted is lost. With a fixed message the
    two travel together ("fixed: typed"), so Maileon's report still tells answers of one type apart; a comment
    without a chosen answer travels as Maileon's type `other`."""
    # Recipients sometimes type their address into the free text; we keep and forward no address.
    text = mask_email_addresses((message or "").strip())
    if reason is None:
        return {"reason": None, "reason_type": "other" if text else "", "reason_message": text[:MAX_MESSAGE_CHARS]}
    fixed = reason.fixed_message.strip()
    combined = f"{fixed}: {text}" if fixed and text else (text or fixed)
    return {
        "reason": reason,
        "reason_type": reason.reason_type,
        "reason_message": combined[:MAX_MESSAGE_CHARS],
    }


# --- steps


def _verify_link(link: ContactLink) -> Contact | None:
    """The contact if Maileon confirms id + checksum; None if it could not be asked (recorded unverified)."""
    try:
        return get_client().get_contact(contact_id=link.contact_id, checksum=link.checksum)
    except UnavailableError as error:
        logger.warning("unsubscribe of contact %s recorded unverified: %s", link.contact_id, error)
    except (RejectedError, ProtocolError) as error:
        # 401/403 or an unreadable answer: our side is broken, not the recipient's link. Keep the wish.
        logger.error("unsubscribe of contact %s recorded unverified: %s", link.contact_id, error)
    return None


def _row_fields(
    link: ContactLink, *, page: PageConfig | None, via: Via, language: str, suspected: tuple[bool, str]
) -> dict:
    return {
        "contact_id": link.contact_id, "checksum": link.checksum, "mailing_id": link.mailing_id, "page": page,
        "via": via, "language": language, "suspected_automation": suspected[0], "automation_evidence": suspected[1],
    }


def _record_or_fail(*, link: ContactLink, fields: dict) -> tuple[UnsubscribeRequest, bool]:
    """`_record`, a database failure typed as RecordingFailedError (with SQLite's IMMEDIATE transactions and busy
    timeout, settings.py, a crowd queues for the lock; this is what is left: a wait beyond the timeout, or no
    database at all)."""
    try:
        return _record(link=link, fields=fields)
    except DatabaseError as error:
        raise RecordingFailedError(_describe_database_error(error)) from error


def _record(*, link: ContactLink, fields: dict) -> tuple[UnsubscribeRequest, bool]:
    """Insert the row, or return the one an earlier submission made (True). Commits before returning."""
    now = timezone.now()
    try:
        with _check_then_insert():
            earlier = _earlier_request(link, now)
            if earlier is not None:
                return earlier, True
            return UnsubscribeRequest.objects.create(**fields, next_attempt_at=now, created_at=now), False
    except IntegrityError:
        # A simultaneous submission of the same link won the one pending row per link (a unique constraint).
        earlier = _earlier_request(link, now)
        if earlier is None:
            raise
        return earlier, True


def _check_then_insert():
    """The transaction around the check for an earlier request and the insert, where it does something.

    SQLite's (IMMEDIATE, settings.py) takes the write lock first: no other submission inserts between our check
    and our insert. PostgreSQL's (READ COMMITTED) locks nothing for the check, so it bought only two round trips
    (BEGIN, COMMIT): there the check is one statement and the insert another, committed as it runs, and, as
    before, the unique constraint on a link's pending row settles two submissions at once (IntegrityError). Inside
    a caller's transaction a savepoint keeps that IntegrityError from breaking it."""
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def _earlier_request(link: ContactLink, now) -> UnsubscribeRequest | None:
    """An earlier request this one repeats: one Maileon has verified (the contact's wish is proven and will be
    or was delivered), or one made with the same checksum. An unverified one with another checksum is not: it
    may be a forgery made while Maileon could not check it, and must not take the genuine request's place."""
    # A delivered one the recipient called a mistake is over: a new unsubscribe after they came back is new.
    recent = Q(status=Status.PENDING) | Q(status=Status.DELIVERED, delivered_at__gte=now - REPEAT_WINDOW,
                                          mistake_reported_at__isnull=True)
    candidates = UnsubscribeRequest.objects.filter(recent, contact_id=link.contact_id).order_by("-created_at", "-pk")
    return next((row for row in candidates if row.verified or _same_checksum(row.checksum, link.checksum)), None)


def _same_checksum(stored: str, given: str) -> bool:
    return bool(stored) and hmac.compare_digest(stored.encode(), given.encode())


def _deliver_after_commit(row: UnsubscribeRequest, contact: Contact) -> bool:
    """One inline attempt, only once the row is committed. Inside a caller's transaction (ATOMIC_REQUESTS, a
    test's `db`) it runs on commit instead, and the recipient is told "recorded" rather than "done"."""
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: outbox.deliver_now(row, contact=contact))
        return False
    return outbox.deliver_now(row, contact=contact)


def _describe_database_error(error: DatabaseError) -> str:
    """Class and first line: the drivers' messages name tables and locks, not the values of a row."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"[:200]
