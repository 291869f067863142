"""The outbox worker: delivers recorded unsubscribes (and reasons given later) to Maileon until none is due.

Each row is claimed under a lease, attempted and settled by `outbox`, the same path a recipient's inline attempt
takes. No path deletes a row: an outage postpones it (backoff, Retry-After), a refusal marks it
failed for the admin, who can `requeue` it.

Pacing across rows is the circuit breaker's: after consecutive outages it opens, and an open breaker lets one
row through per probe interval (a probe), so a down Maileon gets one call at a time, not a storm. A Retry-After
(429, or 503 with one) holds every row until it has passed, not only the row that got it, so a recovering
Maileon is drained at the speed it allows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from ..maileon import UnavailableError
from . import outbox

logger = logging.getLogger(__name__)

BREAKER_THRESHOLD = 5  # consecutive outages that open the breaker
PROBE_INTERVAL = 5.0  # seconds between probes while it is open


@dataclass
class DeliveryReport:
    """Counts of one pass (no personal data, so it may be printed and logged)."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    reasons_delivered: int = 0
    reasons_failed: int = 0
    lease_lost: int = 0
    paused: bool = False  # the circuit breaker ended the pass: Maileon looks unavailable

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed + self.reasons_delivered + self.reasons_failed

    def count(self, result: outbox.AttemptResult) -> None:
        if not result.saved:
            self.lease_lost += 1
        elif result.outcome is outbox.Outcome.RETRY:
            self.retried += 1
        elif result.reason_only:
            if result.outcome is outbox.Outcome.DELIVERED:
                self.reasons_delivered += 1
            else:
                self.reasons_failed += 1
        elif result.outcome is outbox.Outcome.DELIVERED:
            self.delivered += 1
        else:
            self.failed += 1

    def full(self, limit: int | None) -> bool:
        """The pass stopped at its limit with Maileon answering: more rows are probably due."""
        return limit is not None and not self.paused and self.attempted + self.lease_lost >= limit

    def summary(self) -> str:
        text = (
            f"delivered={self.delivered} retry_later={self.retried} failed={self.failed} "
            f"reasons_delivered={self.reasons_delivered} reasons_failed={self.reasons_failed} "
            f"lease_lost={self.lease_lost}"
        )
        return text + (" paused: Maileon unavailable" if self.paused else "")


class CircuitBreaker:
    """Decides, before each row, whether the worker may call Maileon now.

    Closed: every row goes. Open (after `threshold` consecutive outages): one row (a probe) per
    `probe_interval` seconds; a probe that Maileon answers, refusals included, closes it. A Retry-After holds
    every row until it has passed. Clock values are the pass's `now` (datetimes), so tests can pin them."""

    def __init__(self, threshold: int = BREAKER_THRESHOLD, probe_interval: float = PROBE_INTERVAL) -> None:
        self.threshold = threshold
        self.probe_interval = timedelta(seconds=probe_interval)
        self.consecutive_outages = 0
        self.next_probe_at: datetime | None = None
        self.hold_until: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.consecutive_outages >= self.threshold

    def may_call(self, now: datetime) -> bool:
        if self.hold_until is not None and now < self.hold_until:
            return False
        return not (self.is_open and self.next_probe_at is not None and now < self.next_probe_at)

    def record(self, result: outbox.AttemptResult, now: datetime) -> None:
        error = result.error
        if not isinstance(error, UnavailableError):
            self.consecutive_outages = 0  # Maileon answered (a refusal too)
            self.next_probe_at = self.hold_until = None
            return
        self.consecutive_outages += 1
        if error.retry_after:
            self.hold_until = now + timedelta(seconds=min(error.retry_after, outbox.MAX_RETRY_AFTER))
        if self.is_open:
            self.next_probe_at = now + self.probe_interval


def deliver_due(
    *,
    limit: int | None = 100,
    now: datetime | None = None,
    breaker: CircuitBreaker | None = None,
    should_stop: Callable[[], bool] | None = None,
    lease_seconds: float = outbox.LEASE_SECONDS,
) -> DeliveryReport:
    """Attempt every due row once (at most `limit`; None: all). `now` pins the clock (tests); `breaker` carries
    outages and Retry-After across passes (`run`); `should_stop` is asked before each row."""
    breaker = breaker or CircuitBreaker()
    client = outbox.worker_client()
    report = DeliveryReport()
    attempted = 0
    # A row retried with a tiny backoff is due again at once; each row is attempted once per pass. Only such
    # rows are excluded from later claims (a list of every row of a long pass would grow each query with it).
    due_again: set[tuple[type, int]] = set()
    batch: list = []
    claimed_at = 0.0
    try:
        while limit is None or attempted < limit:
            if should_stop is not None and should_stop():
                break
            clock = now or timezone.now()
            # Open: the probe of this pass was its first row. Held: nobody calls until Retry-After has passed.
            if (attempted and breaker.is_open) or not breaker.may_call(clock):
                report.paused = True
                break
            if batch and time.monotonic() - claimed_at > lease_seconds - outbox.ATTEMPT_WORST_CASE_SECONDS:
                outbox.release(batch)  # the lease might end during the next attempt: claim afresh
                batch = []
            if not batch:
                # While the breaker is open a pass makes one probe: claim one row, not a batch.
                size = 1 if breaker.is_open else outbox.CLAIM_BATCH
                if limit is not None:
                    size = min(size, limit - attempted)
                batch = _claim(now=clock, size=size, due_again=due_again, lease_seconds=lease_seconds)
                claimed_at = time.monotonic()
                if not batch:
                    break
            row = batch.pop(0)
            attempted += 1
            result = outbox.attempt(row, now=clock, client=client)
            report.count(result)
            breaker.record(result, clock)
            if result.may_be_due_again:
                due_again.add((type(row), row.pk))
    finally:
        if batch:
            outbox.release(batch)  # stopped, paused or failed mid-batch: the rest is due for anyone at once
    if breaker.is_open and attempted:
        report.paused = True
    return report


def _claim(*, now: datetime, size: int, due_again: set[tuple[type, int]], lease_seconds: float) -> list:
    """The next batch: unsubscribes first (the recipient's wish), then reasons given later."""
    for job in outbox.JOBS:
        exclude = [pk for kind, pk in due_again if kind is job]
        batch = outbox.claim_batch(job, now=now, size=size, exclude=exclude, lease_seconds=lease_seconds)
        if batch:
            return batch
    return []


def run(
    *,
    poll_interval: float = 2.0,
    stop: threading.Event | None = None,
    limit: int | None = 100,
    breaker: CircuitBreaker | None = None,
    lease_seconds: float = outbox.LEASE_SECONDS,
) -> None:
    """Deliver in passes until `stop` is set; a pass in progress finishes its current row first."""
    stop = stop or threading.Event()
    breaker = breaker or CircuitBreaker()
    try:
        while not stop.is_set():
            close_old_connections()  # a long-lived process must survive database restarts and CONN_MAX_AGE
            try:
                report = deliver_due(
                    limit=limit, breaker=breaker, should_stop=stop.is_set, lease_seconds=lease_seconds
                )
            except DatabaseError:
                # The database is away (restart, failover): rows stay as they are; try again next pass.
                logger.exception("unsubscribe delivery pass failed on the database")
            else:
                if report.attempted or report.lease_lost:
                    logger.info("unsubscribe delivery: %s", report.summary())
                if report.full(limit):
                    continue  # a backlog: the next pass at once, so it drains at Maileon's pace, not ours
            stop.wait(poll_interval)
    finally:
        connection.close()  # run in a thread, the loop's connection would outlive it (and hold the database)
