"""The outbox: the rows that carry an unsubscribe (`UnsubscribeRequest`) or a reason given later (`LaterReason`)
to Maileon, their leases, schedules and outcomes. The one path by which anything reaches Maileon for a
recipient, used by the worker (`worker.py`) and by the inline attempt of a recipient's POST.

A row is attempted only by whoever holds its lease: a conditional UPDATE sets `leased_until` and a fresh
`lease_id` (one per claimed batch), so two claimers can't both win (on SQLite too); a recipient's POST inserts
its row already leased to its own inline attempt. Maileon is called outside any transaction (`send.py`), and
the outcome is saved only if the lease id still matches. A worker that dies mid-call leaves a lease that expires;
the next claimer repeats the call, which is harmless (at-least-once; see `send._may_already_be_gone`).
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..account import client_for, get_client
from ..maileon import Contact, MaileonClient, MaileonError, RejectedError, UnavailableError, backoff
from ..models import LaterReason, OutboxRow, Status, UnsubscribeRequest
from . import send

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
# The kinds of job, in the order a worker looks for due ones.
JOBS: tuple[type[OutboxRow], ...] = (UnsubscribeRequest, LaterReason)


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # still due later
    FAILED = "failed"  # Maileon refused it: kept for the admin (an unsubscribe can be requeued)


@dataclass(frozen=True)
class AttemptResult:
    outcome: Outcome
    reason_only: bool = False  # the attempt was a reason given later, not an unsubscribe
    error: MaileonError | None = None
    saved: bool = True  # False: our lease had expired and another claimer owns the row now

    @property
    def may_be_due_again(self) -> bool:
        """Whether the row can be due again right away (a worker attempts each row once per pass)."""
        return self.outcome is Outcome.RETRY or not self.saved


# --- claiming


def due(now: datetime) -> Q:
    """Rows a worker may claim now (either kind of job)."""
    lease_free = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    return Q(status=Status.PENDING) & Q(next_attempt_at__lte=now) & lease_free


def claim_batch(
    job: type[OutboxRow], *, now: datetime, size: int = CLAIM_BATCH, exclude: Collection[int] = (),
    lease_seconds: float = LEASE_SECONDS,
) -> list[OutboxRow]:
    """Claim up to `size` of the most overdue rows of `job` (not `exclude`, by pk) under one lease id, most
    overdue first.

    Three queries for the lot instead of three per row: a worker draining a backlog spends its time on Maileon,
    not on the database. Whoever holds the batch attempts its rows in turn and gives back (`release`) those it
    will not get to while the lease lasts."""
    if size < 1:
        return []
    candidates = job.objects.filter(due(now)).exclude(pk__in=list(exclude))
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
            won = job.objects.filter(due(now), pk__in=pks).update(**lease)
        if won:
            break
        tried += pks  # SQLite: another worker won every candidate between our read and our update
    else:
        return []
    related = "page" if job is UnsubscribeRequest else "unsubscribe__page"
    claimed = job.objects.select_related(related).filter(lease_id=lease_id)
    return list(claimed.order_by("next_attempt_at", "pk"))


def release(rows: Collection[OutboxRow]) -> int:
    """Give back claimed rows that were not attempted (the pass stopped, or the lease would not last): due again
    for anyone at once, the claim's attempt not counted. Only rows whose lease is still ours."""
    released = 0
    for job, lease_id in {(type(row), row.lease_id) for row in rows}:
        released += job.objects.filter(
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


def withdraw(row: UnsubscribeRequest, now: datetime | None = None) -> bool:
    """Take back an unsubscribe that has not reached Maileon ("unsubscribed by mistake"): it will never be sent.
    Only while nobody holds its lease: a row being attempted right now may reach Maileon any moment, so False
    (the caller asks again shortly). The checksum goes with it: nothing is left to deliver."""
    now = now or timezone.now()
    lease_free = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    return UnsubscribeRequest.objects.filter(
        lease_free, pk=row.pk, status__in=(Status.PENDING, Status.FAILED)
    ).update(status=Status.WITHDRAWN, checksum="", lease_id=None, leased_until=None, updated_at=now) == 1


def deliver_now(row: UnsubscribeRequest, *, contact: Contact | None = None) -> bool:
    """The inline attempt of a recipient's POST, on a row inserted under `lease_for_insert`: attempt once, say
    whether Maileon has it. Whatever fails stays due for the worker."""
    result = attempt(row, contact=contact)
    return result.saved and result.outcome is Outcome.DELIVERED


def queue_later_reason(unsubscribe: UnsubscribeRequest, *, checksum: str, now: datetime | None = None,
                       leased: bool = False) -> LaterReason | None:
    """The job that sends the unsubscribe's reason on its own; None if the unsubscribe has one already (a
    double submission). `leased`: inserted already claimed, for the caller's inline attempt."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return LaterReason.objects.create(
                unsubscribe=unsubscribe, checksum=checksum, next_attempt_at=now, created_at=now,
                **(lease_for_insert(now) if leased else {}),
            )
    except IntegrityError:
        return None


def attempt(row: OutboxRow, *, now: datetime | None = None, contact: Contact | None = None,
            client: MaileonClient | None = None) -> AttemptResult:
    """Attempt a claimed row (Maileon called outside any transaction) and save the outcome under its lease.
    `client`: the worker passes `worker_client()`; None: the pages' client."""
    now = now or timezone.now()
    client = client or get_client()
    if isinstance(row, LaterReason):
        return _settle_later_reason(row, send.later_reason(row, client=client), now)
    return _settle_unsubscribe(row, send.unsubscribe(row, contact=contact, client=client), now)


def _settle_unsubscribe(row: UnsubscribeRequest, sent: send.Sent, now: datetime) -> AttemptResult:
    kept = {"verified": sent.verified, "note": sent.note or row.note}
    if sent.error is None:
        return _delivered(row, sent, now, kept)
    if isinstance(sent.error, UnavailableError):
        return _retry(row, sent.error, now, kept)
    if isinstance(sent.error, RejectedError) and sent.error.is_auth_failure:
        logger.error("Maileon refused our API key (%s): check MAILEON_API_KEY and its rights", sent.error)
    # Maileon refused the unsubscribe itself. The row stays for the admin (who can requeue it), checksum kept.
    logger.error("unsubscribe %s of contact %s failed: %s", row.public_id, row.contact_id, sent.error)
    saved = _save(row, now, **kept, status=Status.FAILED, last_error=_describe(sent.error))
    return AttemptResult(Outcome.FAILED, error=sent.error, saved=saved)


def _delivered(row: UnsubscribeRequest, sent: send.Sent, now: datetime, kept: dict) -> AttemptResult:
    done = {**kept, "status": Status.DELIVERED, "delivered_at": now, "checksum": "", "last_error": ""}
    if _save(row, now, only_if={"reason_type": row.reason_type, "reason_message": row.reason_message}, **done):
        # The row object now holds what the database holds (so the recipient's POST need not read it back):
        # nobody else writes a row under our lease but a reason given meanwhile, and `only_if` ruled that out.
        for name, value in {**done, "leased_until": None, "lease_id": None, "updated_at": now}.items():
            setattr(row, name, value)
        logger.info("unsubscribe %s of contact %s delivered", row.public_id, row.contact_id)
        return AttemptResult(Outcome.DELIVERED)
    # A reason was attached ("tell us more") while our call was under way: it still has to go, on its own job,
    # with the checksum the unsubscribe was made with.
    saved = _save(row, now, **done)
    if saved:
        queue_later_reason(row, checksum=row.checksum, now=now)
        logger.info("unsubscribe %s of contact %s delivered; its reason follows", row.public_id, row.contact_id)
    return AttemptResult(Outcome.DELIVERED, saved=saved)


def _settle_later_reason(job: LaterReason, sent: send.Sent, now: datetime) -> AttemptResult:
    error = sent.error
    if error is None:
        saved = _save(job, now, status=Status.DELIVERED, delivered_at=now, checksum="", last_error="",
                      note=sent.note)
        logger.info("unsubscribe %s: later reason delivered", job.unsubscribe.public_id)
        return AttemptResult(Outcome.DELIVERED, reason_only=True, saved=saved)
    delivered_at = job.unsubscribe.delivered_at
    processing = delivered_at is not None and now - delivered_at < REASON_PROCESSING_WINDOW
    if isinstance(error, UnavailableError) or (isinstance(error, RejectedError) and error.status == 400
                                               and processing):
        result = _retry(job, error, now, {})
        return replace(result, reason_only=True)
    if isinstance(error, RejectedError) and error.is_auth_failure:
        logger.error("Maileon refused our API key (%s): check MAILEON_API_KEY and its rights", error)
    # The unsubscribe is delivered; only the reason given later is lost, so the checksum can go.
    logger.warning("unsubscribe %s: reason given later not accepted: %s", job.unsubscribe.public_id, error)
    saved = _save(job, now, status=Status.FAILED, checksum="", last_error=_describe(error),
                  note="Maileon did not accept the reason given later")
    return AttemptResult(Outcome.FAILED, reason_only=True, error=error, saved=saved)


def _retry(row: OutboxRow, error: MaileonError, now: datetime, kept: dict) -> AttemptResult:
    delay = retry_delay(attempts=row.attempts, retry_after=getattr(error, "retry_after", None))
    logger.warning("outbox %s: %s; next attempt in %.0f s", row.public_id, error, delay)
    saved = _save(row, now, **kept, next_attempt_at=now + timedelta(seconds=delay), last_error=_describe(error))
    return AttemptResult(Outcome.RETRY, error=error, saved=saved)


def _save(row: OutboxRow, now: datetime, *, only_if: dict | None = None, **changes) -> bool:
    """Apply the outcome and release the lease, if the lease is still ours (and the row still matches `only_if`);
    False if not (nothing saved)."""
    updated = type(row).objects.filter(pk=row.pk, lease_id=row.lease_id, **(only_if or {})).update(
        **changes, leased_until=None, lease_id=None, updated_at=now
    )
    if not updated and type(row).objects.filter(pk=row.pk).exclude(lease_id=row.lease_id).exists():
        logger.warning("outbox %s: lease expired during the attempt; outcome left to its new holder", row.public_id)
    return bool(updated)


def _describe(error: MaileonError) -> str:
    """Maileon's words for the admin (the client masks checksums and addresses in them)."""
    return str(error)[:1000]


# --- pacing


def retry_delay(*, attempts: int, retry_after: float | None) -> float:
    """Seconds until the next attempt: Retry-After when Maileon says so, at least a capped exponential backoff."""
    honoured = min(retry_after, MAX_RETRY_AFTER) if retry_after else 0.0
    return max(honoured, backoff.delay(attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP))


# --- the admin's "retry now"


def requeue(queryset: QuerySet[UnsubscribeRequest], *, now: datetime | None = None) -> int:
    """The admin's "retry now": the selected unsubscribes, failed or pending, become due at once, as do their
    reasons given later still to deliver. A row whose lease is active keeps it. A failed unsubscribe whose
    contact has another one pending stays failed (that one carries the wish). Returns how many rows were queued."""
    now = now or timezone.now()
    queued = 0
    for pk, contact_id in queryset.values_list("pk", "contact_id"):
        rows = UnsubscribeRequest.objects.filter(pk=pk)
        if UnsubscribeRequest.objects.filter(contact_id=contact_id, status=Status.PENDING).exclude(pk=pk).exists():
            rows = rows.exclude(status=Status.FAILED)
        try:
            with transaction.atomic():
                queued += rows.filter(status__in=[Status.PENDING, Status.FAILED]).update(
                    status=Status.PENDING, next_attempt_at=now, updated_at=now
                )
        except IntegrityError:
            pass  # a simultaneous request of the same link is pending meanwhile
        queued += LaterReason.objects.filter(unsubscribe_id=pk, status__in=[Status.PENDING, Status.FAILED]).exclude(
            checksum=""
        ).update(status=Status.PENDING, next_attempt_at=now, updated_at=now)
    logger.info("unsubscribe delivery: %d rows requeued by the admin", queued)
    return queued
