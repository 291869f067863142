"""Leases and outcomes of `UnsubscribeRequest` rows: the one code path through which an unsubscribe (or a reason
given later) reaches Maileon, used by the worker (`delivery.py`) and by the inline attempt of a recipient's POST.

A row is delivered only by whoever holds its lease: a conditional UPDATE sets `leased_until` and a fresh
`lease_id` (one per claimed batch), so two claimers can't both win (on SQLite too); a recipient's POST inserts
its row already leased to its own inline attempt. Maileon is called outside any transaction, and the
outcome is saved only if the lease id still matches. A worker that dies mid-call leaves a lease that expires;
the next claimer repeats the call, which is harmless (at-least-once; see `_may_already_be_gone`).
"""

from __future__ import annotations

import enum
import logging
import random
import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..maileon import (
    Contact,
    InvalidLinkError,
    MaileonClient,
    MaileonError,
    ProtocolError,
    RejectedError,
    UnavailableError,
)
from ..models import Status, UnsubscribeRequest
from ..account import client_for, get_client

logger = logging.getLogger(__name__)

# Longer than one attempt can take: a read (3 s connect + 5 s read, twice retried) plus two DELETEs.
LEASE_SECONDS = 120
BACKOFF_BASE = 2.0  # seconds: the ceiling of the first retry's wait, doubling per attempt
BACKOFF_CAP = 60.0
# We honour Retry-After, but not beyond this: an absurd value must not park an unsubscribe for days.
MAX_RETRY_AFTER = 3600.0
# Maileon refuses a reason (400) until it has processed the unsubscribe, "in the background", seconds usually.
REASON_PROCESSING_WINDOW = timedelta(minutes=10)
CLAIM_BATCH = 20  # rows a worker claims at once
CLAIM_ROUNDS = 3  # SQLite: fresh candidates tried when another worker won all of ours
# What one attempt may take at worst (a read, two DELETEs, each up to 3 s connect + 5 s read): a worker gives
# back the rest of its batch rather than start an attempt its lease might not cover.
ATTEMPT_WORST_CASE_SECONDS = 30.0


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # still due later: pending (or a reason still to deliver)
    FAILED = "failed"  # an unsubscribe marked failed, or a later reason given up


@dataclass(frozen=True)
class AttemptResult:
    outcome: Outcome
    reason_only: bool = False  # the attempt delivered a reason given later, not an unsubscribe
    error: MaileonError | None = None
    saved: bool = True  # False: our lease had expired and another claimer owns the row now
    follow_up: bool = False  # delivered, and a reason attached meanwhile is due at once (a second attempt)

    @property
    def may_be_due_again(self) -> bool:
        """Whether the row can be due again right away (a worker attempts each row once per pass)."""
        return self.outcome is Outcome.RETRY or not self.saved or self.follow_up


# --- claiming


def due(now: datetime) -> Q:
    """Rows a worker may claim now: pending unsubscribes, and delivered ones with a later reason still to send."""
    unsubscribe = Q(status=Status.PENDING)
    later_reason = Q(status=Status.DELIVERED, reason_added_later=True, reason_delivered=False) & ~Q(checksum="")
    lease_free = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    return (unsubscribe | later_reason) & Q(next_attempt_at__lte=now) & lease_free


def claim_batch(
    *, now: datetime, size: int = CLAIM_BATCH, exclude: Collection[int] = (), lease_seconds: float = LEASE_SECONDS
) -> list[UnsubscribeRequest]:
    """Claim up to `size` of the most overdue rows (not `exclude`) under one lease id, most overdue first.

    Three queries for the lot instead of three per row: a worker draining a backlog spends its time on Maileon,
    not on the database. Whoever holds the batch attempts its rows in turn and gives back (`release`) those it
    will not get to while the lease lasts."""
    if size < 1:
        return []
    candidates = UnsubscribeRequest.objects.filter(due(now)).exclude(pk__in=list(exclude))
    candidates = candidates.order_by("next_attempt_at", "pk")
    lease_id = uuid.uuid4()
    lease = {"lease_id": lease_id, "leased_until": now + timedelta(seconds=lease_seconds),
             "attempts": F("attempts") + 1, "updated_at": now}
    skip_locked = connection.features.has_select_for_update_skip_locked
    tried: list[int] = []
    for _round in range(CLAIM_ROUNDS):
        with transaction.atomic():
            if skip_locked:
                # PostgreSQL: skip rows another worker is claiming right now instead of queueing behind its lock.
                locked = candidates.exclude(pk__in=tried).select_for_update(skip_locked=True).only("pk")[:size]
                pks = [row.pk for row in locked]
            else:
                pks = list(candidates.exclude(pk__in=tried).values_list("pk", flat=True)[:size])
            if not pks:
                return []
            # Conditional, so two claimers can't both win a row (SQLite has no row locks).
            won = UnsubscribeRequest.objects.filter(due(now), pk__in=pks).update(**lease)
        if won:
            break
        tried += pks  # SQLite: another worker won every candidate between our read and our update
    else:
        return []
    claimed = UnsubscribeRequest.objects.select_related("page").filter(lease_id=lease_id)
    return list(claimed.order_by("next_attempt_at", "pk"))


def claim_next(
    *, now: datetime, exclude: Collection[int] = (), lease_seconds: float = LEASE_SECONDS
) -> UnsubscribeRequest | None:
    """Claim the most overdue row (not one of `exclude`), or None when nothing is due."""
    rows = claim_batch(now=now, size=1, exclude=exclude, lease_seconds=lease_seconds)
    return rows[0] if rows else None


def release(rows: Collection[UnsubscribeRequest]) -> int:
    """Give back claimed rows that were not attempted (the pass stopped, or the lease would not last): due again
    for anyone at once, the claim's attempt not counted. Only rows whose lease is still ours."""
    released = 0
    for lease_id in {row.lease_id for row in rows}:
        released += UnsubscribeRequest.objects.filter(
            pk__in=[row.pk for row in rows if row.lease_id == lease_id], lease_id=lease_id
        ).update(lease_id=None, leased_until=None, attempts=F("attempts") - 1)
    return released


# --- attempts


def worker_client() -> MaileonClient:
    """The pages' client without inline read retries: a worker retries the whole row later (backoff, circuit
    breaker), so an outage costs it one call per attempt, not three."""
    return client_for(replace(get_client().config, read_retries=0))


def lease_for_insert(now: datetime) -> dict:
    """Columns that make a row, as it is inserted, already claimed by the request inserting it: its inline
    attempt needs no claim of its own (a write and a commit less). Should that request die, the lease expires
    and a worker takes the row over."""
    return {"lease_id": uuid.uuid4(), "leased_until": now + timedelta(seconds=LEASE_SECONDS), "attempts": 1}


def deliver_now(row: UnsubscribeRequest, *, contact: Contact | None = None) -> bool:
    """The inline attempt of a recipient's POST, on a row inserted under `lease_for_insert`: attempt once, say
    whether Maileon has it. Whatever fails stays due for the worker."""
    result = attempt(row, now=timezone.now(), contact=contact)
    return result.saved and result.outcome is Outcome.DELIVERED


def deliver_reason_now(pk: int, *, checksum: str, fields: dict) -> AttemptResult | None:
    """Attach a reason given later to a delivered row and send it at once, under a lease so that a double
    submission or the worker cannot send it twice. None if the row already has a reason (or is leased)."""
    now = timezone.now()
    lease_id = uuid.uuid4()
    attached = UnsubscribeRequest.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lte=now), pk=pk, status=Status.DELIVERED, reason_type=""
    ).update(
        **fields,
        checksum=checksum,  # kept until Maileon has the reason
        next_attempt_at=now,
        lease_id=lease_id,
        leased_until=now + timedelta(seconds=LEASE_SECONDS),
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not attached:
        return None
    row = UnsubscribeRequest.objects.select_related("page").get(pk=pk, lease_id=lease_id)
    return attempt(row, now=now)


def attempt(
    row: UnsubscribeRequest,
    *,
    now: datetime | None = None,
    contact: Contact | None = None,
    client: MaileonClient | None = None,
) -> AttemptResult:
    """Deliver a claimed row (Maileon called outside any transaction) and save the outcome under its lease.
    `client`: the worker passes `worker_client()`; None: the pages' client."""
    # Imported here: unsubscribe.py imports this module for its inline attempt.
    from ..services.unsubscribe import deliver_later_reason, deliver_unsubscribe

    now = now or timezone.now()
    if row.status == Status.DELIVERED:
        return _attempt_later_reason(row, now, partial(deliver_later_reason, client=client))
    try:
        deliver_unsubscribe(request=row, contact=contact, client=client)
    except UnavailableError as error:
        return _retry(row, error, now)
    except RejectedError as error:
        if error.is_auth_failure:
            logger.error("Maileon refused our API key (%s): check MAILEON_API_KEY and its rights", error)
        return _fail(row, error, now)
    except (InvalidLinkError, ProtocolError) as error:
        return _fail(row, error, now)
    except ValueError as error:
        # The client refused our arguments before calling (e.g. account id 0 on the page): a configuration
        # mistake to show in the admin, not a reason to crash the worker on this row forever.
        return _fail(row, RejectedError(str(error), operation="deliver_unsubscribe"), now)
    return _delivered(row, now)


def _attempt_later_reason(row: UnsubscribeRequest, now: datetime, deliver) -> AttemptResult:
    try:
        deliver(request=row)
    except UnavailableError as error:
        return _retry(row, error, now, reason_only=True)
    except RejectedError as error:
        processing = row.delivered_at is not None and now - row.delivered_at < REASON_PROCESSING_WINDOW
        if error.status == 400 and processing:
            return _retry(row, error, now, reason_only=True)
        if error.is_auth_failure:
            logger.error("Maileon refused our API key (%s): check MAILEON_API_KEY and its rights", error)
        return _give_up_reason(row, error, now)
    except (InvalidLinkError, ProtocolError) as error:
        return _give_up_reason(row, error, now)
    saved = _save(row, now, reason_delivered=True, checksum="", last_error="")
    logger.info("unsubscribe %s: later reason delivered", row.public_id)
    return AttemptResult(Outcome.DELIVERED, reason_only=True, saved=saved)


# --- outcomes (each saved only under the row's lease)


def _delivered(row: UnsubscribeRequest, now: datetime) -> AttemptResult:
    done = {"status": Status.DELIVERED, "delivered_at": now}
    sent = UnsubscribeRequest.objects.filter(pk=row.pk, lease_id=row.lease_id).filter(
        reason_type=row.reason_type, reason_message=row.reason_message
    )
    if _update(sent, row, now, **done, checksum="", reason_delivered=bool(row.reason_type)):
        logger.info("unsubscribe %s of contact %s delivered", row.public_id, row.contact_id)
        return AttemptResult(Outcome.DELIVERED)
    # A reason was attached ("tell us more") while our call was under way: it still has to go, with the checksum.
    saved = _save(row, now, **done, reason_added_later=True, reason_delivered=False, next_attempt_at=now)
    if saved:
        logger.info("unsubscribe %s of contact %s delivered; a later reason follows", row.public_id, row.contact_id)
    return AttemptResult(Outcome.DELIVERED, saved=saved, follow_up=True)


def _retry(row: UnsubscribeRequest, error: UnavailableError | RejectedError, now: datetime, *,
           reason_only: bool = False) -> AttemptResult:
    delay = retry_delay(attempts=row.attempts, retry_after=getattr(error, "retry_after", None))
    logger.warning("unsubscribe %s: %s; next attempt in %.0f s", row.public_id, error, delay)
    saved = _save(row, now, next_attempt_at=now + timedelta(seconds=delay), last_error=_describe(error))
    return AttemptResult(Outcome.RETRY, reason_only=reason_only, error=error, saved=saved)


def _fail(row: UnsubscribeRequest, error: MaileonError, now: datetime) -> AttemptResult:
    """Maileon refused the unsubscribe itself. The row stays for the admin (who can requeue it), checksum kept."""
    logger.error("unsubscribe %s of contact %s failed: %s", row.public_id, row.contact_id, error)
    saved = _save(row, now, status=Status.FAILED, last_error=_describe(error))
    return AttemptResult(Outcome.FAILED, error=error, saved=saved)


def _give_up_reason(row: UnsubscribeRequest, error: MaileonError, now: datetime) -> AttemptResult:
    """The unsubscribe is delivered; only the reason given later is lost, so the checksum can go."""
    logger.warning("unsubscribe %s: reason given later not accepted: %s", row.public_id, error)
    row.note = "Maileon did not accept the reason given later"
    saved = _save(row, now, checksum="", last_error=_describe(error))
    return AttemptResult(Outcome.FAILED, reason_only=True, error=error, saved=saved)


def _save(row: UnsubscribeRequest, now: datetime, **changes) -> bool:
    return _update(UnsubscribeRequest.objects.filter(pk=row.pk, lease_id=row.lease_id), row, now, **changes)


def _update(queryset, row: UnsubscribeRequest, now: datetime, **changes) -> bool:
    """Apply the outcome and release the lease; False if the lease is no longer ours (nothing saved)."""
    updated = queryset.update(
        **changes, verified=row.verified, note=row.note, leased_until=None, lease_id=None, updated_at=now
    )
    if not updated and queryset.model.objects.filter(pk=row.pk).exclude(lease_id=row.lease_id).exists():
        logger.warning("unsubscribe %s: lease expired during the attempt; outcome left to its new holder",
                       row.public_id)
    return bool(updated)


def _describe(error: MaileonError) -> str:
    """Maileon's words for the admin (the client masks checksums and addresses in them)."""
    return str(error)[:1000]


# --- pacing (jitter in its own function so tests can pin it)


def retry_delay(*, attempts: int, retry_after: float | None) -> float:
    """Seconds until the next attempt: Retry-After when Maileon says so, at least a capped exponential backoff."""
    backoff = jitter(min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16)))
    honoured = min(retry_after, MAX_RETRY_AFTER) if retry_after else 0.0
    return max(honoured, backoff)


def jitter(ceiling: float) -> float:
    """Full jitter: anywhere between nothing and the ceiling, so rows that failed together spread out."""
    return random.uniform(0, ceiling)


# --- the admin's "retry now"


def requeue(queryset: QuerySet[UnsubscribeRequest], *, now: datetime | None = None) -> int:
    """The admin's "retry now": failed and pending rows become due at once, as do reasons still to deliver.
    A row whose lease is active keeps it. A failed row whose contact has a newer pending unsubscribe stays
    failed (that one carries the wish). Returns how many rows were queued."""
    now = now or timezone.now()
    queued = 0
    for pk, contact_id in queryset.values_list("pk", "contact_id"):
        rows = UnsubscribeRequest.objects.filter(pk=pk)
        carried = UnsubscribeRequest.objects.filter(contact_id=contact_id, status=Status.PENDING).exclude(pk=pk)
        if carried.exists():
            rows = rows.exclude(status=Status.FAILED)
        try:
            with transaction.atomic():
                changed = rows.filter(status__in=[Status.PENDING, Status.FAILED]).update(
                    status=Status.PENDING, next_attempt_at=now, updated_at=now
                )
        except IntegrityError:
            continue  # a simultaneous request of the same link is pending meanwhile
        if not changed:
            changed = rows.filter(
                status=Status.DELIVERED, reason_added_later=True, reason_delivered=False
            ).exclude(checksum="").update(next_attempt_at=now, updated_at=now)
        queued += changed
    logger.info("unsubscribe delivery: %d rows requeued by the admin", queued)
    return queued
