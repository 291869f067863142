"""The Maileon steps of one job: an unsubscribe (verify the link by a read where needed, then unsubscribe by id
or by address, crediting the mailing if Maileon lets it), or a reason given later. Each returns what happened;
none changes a row: saving the outcome under the row's lease is the outbox's.

Never sends `ignore_checksum`: the by-id unsubscribe takes no checksum, so a read (whose CHECKSUM the client
compares with the link's) proves the link first.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..maileon import (
    Contact,
    InvalidLinkError,
    MaileonClient,
    MaileonError,
    RejectedError,
)
from ..maileon import UnsubscribeReason as MaileonReason
from ..models import LaterReason, Status, UnsubscribeRequest

# What Maileon answers for a contact that is already out (400 "already unsubscribed", 404 once it is gone).
_GONE_STATUSES = frozenset({400, 404})


@dataclass(frozen=True)
class Sent:
    """How an attempt ended. `error` None: Maileon has it (or the contact is out already, as `note` says)."""

    error: MaileonError | None = None
    verified: bool = False  # a read during (or before) this attempt proved the link
    note: str = ""  # how delivery ended, for the admin
    reasons: tuple[MaileonReason, ...] = ()  # the reasons the unsubscribe carried


def unsubscribe(row: UnsubscribeRequest, *, contact: Contact | None, client: MaileonClient) -> Sent:
    """Send one recorded unsubscribe. `contact` is the verified read the caller has just made, if any (it saves
    reading the address again)."""
    reasons = tuple(maileon_reasons(row))
    verified = row.verified
    account_ids = row.page.account_ids if row.page else []
    try:
        if not verified or (account_ids and contact is None):
            try:
                contact = client.get_contact(contact_id=row.contact_id, checksum=row.checksum)
            except InvalidLinkError as error:
                if _may_already_be_gone(row, verified) and error.status in _GONE_STATUSES:
                    return Sent(verified=verified, reasons=reasons,
                                note="Maileon no longer finds the contact: counted as unsubscribed")
                raise  # unverified: the link was forged or mistyped; nothing is sent
            verified = True
        if contact is not None and contact.has_left:
            return Sent(verified=verified, reasons=reasons,
                        note="already unsubscribed according to Maileon's read: nothing sent")
        note = _unsubscribe_allowing_for_mailing(client, row, contact, account_ids, reasons)
    except (RejectedError, InvalidLinkError) as error:
        if verified and error.status in _GONE_STATUSES and _may_already_be_gone(row, verified):
            # An earlier attempt (or request) may have reached Maileon, which refuses a repeat: the contact is out.
            return Sent(verified=verified, reasons=reasons,
                        note=_note(f"already unsubscribed according to Maileon ({error.message or error.status})"))
        return Sent(error=error, verified=verified, reasons=reasons)
    except MaileonError as error:
        return Sent(error=error, verified=verified, reasons=reasons)
    except ValueError as error:
        # The client refused our arguments before calling (e.g. account id 0 on the page): a configuration
        # mistake to show in the admin, not a reason to crash the worker on this row forever.
        return Sent(error=RejectedError(str(error), operation="unsubscribe"), verified=verified, reasons=reasons)
    return Sent(verified=verified, note=note, reasons=reasons)


def later_reason(job: LaterReason, *, client: MaileonClient) -> Sent:
    """Send the reason given after the unsubscribe was delivered (Adding Unsubscription Reason). Maileon answers
    400 until it has processed the unsubscribe (asynchronous): the outbox retries that for a while."""
    reasons = tuple(maileon_reasons(job.unsubscribe))
    if not reasons:
        return Sent(verified=True, note="no reason left to send")
    try:
        client.add_unsubscribe_reasons(contact_id=job.unsubscribe.contact_id, checksum=job.checksum,
                                       reasons=reasons)
    except MaileonError as error:
        return Sent(error=error, verified=True, reasons=reasons)
    return Sent(verified=True, reasons=reasons)


def maileon_reasons(row: UnsubscribeRequest) -> list[MaileonReason]:
    if not row.reason_type:
        return []
    return [MaileonReason(row.reason_type, row.reason_message)]  # type: ignore[arg-type]


def _unsubscribe_allowing_for_mailing(
    client: MaileonClient, row: UnsubscribeRequest, contact: Contact | None, account_ids: list[int],
    reasons: tuple[MaileonReason, ...],
) -> str:
    """Unsubscribe crediting the mailing; if Maileon refuses the mailing id (400: a draft, a test send), send
    again at once without it: the unsubscribe must not fail for a report's sake. Returns the note to keep."""
    if row.mailing_id is not None:
        try:
            _unsubscribe(client, row, contact, account_ids, row.mailing_id, reasons)
            return ""
        except RejectedError as error:
            if error.status != 400:
                raise
            # GUESS (maileon-api.md §3): a 400 here is about the mailing id; a different cause fails again below.
            note = _note(f"sent again without mailing id {row.mailing_id}: {error.message or 'HTTP 400'}")
    else:
        note = ""
    _unsubscribe(client, row, contact, account_ids, None, reasons)
    return note


def _unsubscribe(
    client: MaileonClient, row: UnsubscribeRequest, contact: Contact | None, account_ids: list[int],
    mailing_id: int | None, reasons: tuple[MaileonReason, ...],
) -> None:
    if not account_ids:
        client.unsubscribe_contact(contact_id=row.contact_id, mailing_id=mailing_id, reasons=reasons)
        return
    email = contact.email if contact else None
    if not email:
        # Anonymized (already unsubscribed) or never had one: nothing to unsubscribe by email.
        raise RejectedError("the contact has no email address", operation="unsubscribe_contacts_by_email", status=404)
    client.unsubscribe_contacts_by_email(
        email=email, newsletter_account_ids=account_ids, mailing_id=mailing_id, reasons=reasons
    )


def _may_already_be_gone(row: UnsubscribeRequest, verified: bool) -> bool:
    """A verified contact Maileon now refuses as unsubscribed or unknown has left, if something of ours may have
    reached Maileon before: an earlier attempt of this row (its answer lost), or an earlier delivered request.
    GUESS (maileon-api.md §3 "count it delivered"): Maileon's answer to a repeat is a 4xx."""
    if not verified:
        return False
    if row.attempts > 1:  # attempts counts this one (a claim counts before the call)
        return True
    return (
        UnsubscribeRequest.objects.filter(contact_id=row.contact_id, status=Status.DELIVERED)
        .exclude(pk=row.pk)
        .exists()
    )


def _note(text: str) -> str:
    return text[:200]
