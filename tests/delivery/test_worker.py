"""The outbox worker against the sandbox: leases, pacing, outcomes, and that no row is ever lost."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.models import Status, UnsubscribeRequest
from preference_center.delivery import outbox

from .support import claim_one, row_values, unsubscribe_calls

pytestmark = pytest.mark.django_db


# --- leases


def test_two_claims_of_one_row_have_one_winner(make_request):
    row = make_request()
    now = timezone.now()

    first = claim_one(now=now)
    second = claim_one(now=now)

    assert first is not None and first.pk == row.pk and first.lease_id is not None
    assert second is None


def test_a_row_leased_by_a_killed_worker_is_delivered_after_the_lease_expires(maileon_sandbox, make_request):
    row = make_request(1004)
    now = timezone.now()
    assert claim_one(now=now) is not None  # ...and the worker holding it dies

    while_leased = worker.deliver_due(now=now + timedelta(seconds=outbox.LEASE_SECONDS - 1))
    after_expiry = worker.deliver_due(now=now + timedelta(seconds=outbox.LEASE_SECONDS + 1))

    assert while_leased.attempted == 0
    assert after_expiry.delivered == 1
    row.refresh_from_db()
    assert row.status == Status.DELIVERED and row.attempts == 2
    assert len(unsubscribe_calls(maileon_sandbox)) == 1


def test_a_worker_killed_after_maileon_took_the_unsubscribe_leaves_it_delivered_on_retry(
    maileon_sandbox, make_request
):
    row = make_request(1004, verified=True)
    now = timezone.now()
    claimed = claim_one(now=now)
    maileon_sandbox.faults.inject(delay=10, method="DELETE")  # Maileon acts, the answer never arrives
    outbox.attempt(claimed, now=now)
    maileon_sandbox.process_pending()  # Maileon's background processing

    report = worker.deliver_due(now=now + timedelta(hours=1))

    row.refresh_from_db()
    assert report.delivered == 1
    assert row.status == Status.DELIVERED
    assert "already unsubscribed" in row.note
    assert len(unsubscribe_calls(maileon_sandbox)) == 2


def test_an_outcome_is_not_saved_once_another_worker_holds_the_lease(maileon_sandbox, make_request):
    row = make_request(1004)
    now = timezone.now()
    slow = claim_one(now=now)
    fast = claim_one(now=now + timedelta(seconds=outbox.LEASE_SECONDS + 1))

    result = outbox.attempt(slow, now=now)

    assert result.saved is False
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.lease_id == fast.lease_id


# --- pacing


@pytest.mark.parametrize(("attempts", "ceiling"), [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (40, 60)])
def test_backoff_doubles_up_to_a_minute(pinned_jitter, attempts, ceiling):
    assert outbox.retry_delay(attempts=attempts, retry_after=None) == ceiling


def test_backoff_jitter_stays_within_its_ceiling():
    delays = [outbox.retry_delay(attempts=4, retry_after=None) for _ in range(200)]
    assert all(0 <= delay <= 16 for delay in delays)
    assert len(set(delays)) > 1


def test_an_outage_schedules_the_row_by_backoff(maileon_sandbox, make_request, pinned_jitter):
    row = make_request(1004, verified=True)
    maileon_sandbox.faults.inject(status=503, method="DELETE")
    now = timezone.now()

    report = worker.deliver_due(now=now)

    row.refresh_from_db()
    assert report.retried == 1
    assert row.status == Status.PENDING
    assert row.next_attempt_at == now + timedelta(seconds=outbox.BACKOFF_BASE)
    assert "503" in row.last_error
    assert row.leased_until is None


def test_retry_after_is_honoured_when_longer_than_the_backoff(maileon_sandbox, make_request, pinned_jitter):
    row = make_request(1004, verified=True)
    maileon_sandbox.faults.inject(status=429, retry_after=120, method="DELETE")
    now = timezone.now()

    worker.deliver_due(now=now)

    row.refresh_from_db()
    assert row.next_attempt_at == now + timedelta(seconds=120)
    assert worker.deliver_due(now=now + timedelta(seconds=119)).attempted == 0
    assert worker.deliver_due(now=now + timedelta(seconds=120)).delivered == 1


def test_an_absurd_retry_after_is_capped(maileon_sandbox, make_request):
    row = make_request(1004, verified=True)
    maileon_sandbox.faults.inject(status=503, retry_after=10**7, method="DELETE")
    now = timezone.now()

    worker.deliver_due(now=now)

    row.refresh_from_db()
    assert row.next_attempt_at == now + timedelta(seconds=outbox.MAX_RETRY_AFTER)


def test_a_long_outage_never_drops_a_row(maileon_sandbox, make_request, later):
    row = make_request(1004, verified=True)
    maileon_sandbox.faults.inject(status=503, times=None)
    for hour in range(1, 30):
        worker.deliver_due(now=later(hour * 3600))
    maileon_sandbox.faults.clear()

    worker.deliver_due(now=later(31 * 3600))

    row.refresh_from_db()
    assert row.status == Status.DELIVERED
    assert row.attempts == 30


def test_the_circuit_breaker_ends_a_pass_and_the_next_pass_probes_with_one_row(maileon_sandbox, make_request):
    for contact_id in (1001, 1002, 1003, 1004):
        make_request(contact_id, verified=True)
    maileon_sandbox.faults.inject(status=503, times=None)
    breaker = worker.CircuitBreaker(threshold=2)

    first = worker.deliver_due(breaker=breaker)
    probe = worker.deliver_due(breaker=breaker, now=timezone.now() + timedelta(hours=1))
    maileon_sandbox.faults.clear()
    recovered = worker.deliver_due(breaker=breaker, now=timezone.now() + timedelta(hours=2))

    assert (first.retried, first.paused) == (2, True)
    assert (probe.retried, probe.paused) == (1, True)
    assert (recovered.delivered, recovered.paused) == (4, False)
    assert len(unsubscribe_calls(maileon_sandbox)) == 2 + 1 + 4


# --- outcomes


def test_an_unsent_mailing_id_is_dropped_and_the_unsubscribe_sent_again(maileon_sandbox, make_request):
    row = make_request(1004, verified=True, mailing_id=99999)

    report = worker.deliver_due()

    calls = unsubscribe_calls(maileon_sandbox)
    assert [call.values("mailingId") for call in calls] == [["99999"], []]
    row.refresh_from_db()
    assert report.delivered == 1
    assert row.status == Status.DELIVERED
    assert row.mailing_id == 99999  # the record keeps what the link said
    assert "without mailing id 99999" in row.note


def test_a_sent_mailing_id_is_credited(maileon_sandbox, make_request):
    make_request(1004, verified=True, mailing_id=88120, reason_type="no_demand")

    worker.deliver_due()

    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.path == "/contacts/contact/unsubscribe"
    assert call.query == (("id", "1004"), ("mailingId", "88120"), ("reason", "no_demand"))


def test_a_contact_gone_on_a_retry_counts_as_delivered(maileon_sandbox, make_request):
    row = make_request(1004, verified=True)
    maileon_sandbox.faults.inject(delay=10, method="DELETE")  # processed, answer lost
    worker.deliver_due()
    del maileon_sandbox.contacts[1004]  # and then deleted in Maileon

    report = worker.deliver_due(now=timezone.now() + timedelta(hours=1))

    row.refresh_from_db()
    assert report.delivered == 1
    assert row.status == Status.DELIVERED
    assert row.note


def test_a_refusal_marks_the_row_failed_with_maileons_message(maileon_sandbox, make_request):
    maileon_sandbox.contacts[1004].unsubscribed = True  # out already, but not through us
    row = make_request(1004, verified=True)

    report = worker.deliver_due()

    row.refresh_from_db()
    assert report.failed == 1
    assert row.status == Status.FAILED
    assert "contact already unsubscribed" in row.last_error
    assert row.checksum  # kept, so the admin can requeue it


@pytest.mark.usefixtures("checksum_reads")
def test_a_forged_link_is_failed_without_any_change_in_maileon(maileon_sandbox, make_request):
    row = make_request(1004, checksum="forged-checksum")

    worker.deliver_due()

    row.refresh_from_db()
    assert row.status == Status.FAILED and row.verified is False
    assert maileon_sandbox.changing_calls() == []


def test_a_refused_api_key_fails_the_row_and_logs_an_error(maileon_sandbox, make_request, settings, caplog):
    settings.MAILEON_API_KEY = "expired-key"
    row = make_request(1004, verified=True)

    with caplog.at_level(logging.ERROR):
        worker.deliver_due()

    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "401" in row.last_error
    assert any("MAILEON_API_KEY" in record.getMessage() for record in caplog.records)
    assert "expired-key" not in caplog.text


def test_requeue_makes_a_failed_row_due_and_the_worker_delivers_it(maileon_sandbox, make_request, settings):
    settings.MAILEON_API_KEY = "expired-key"
    row = make_request(1004, verified=True)
    worker.deliver_due()
    settings.MAILEON_API_KEY = "sandbox"  # the marketer fixed the key

    queued = outbox.requeue(UnsubscribeRequest.objects.filter(pk=row.pk))
    report = worker.deliver_due()

    row.refresh_from_db()
    assert queued == 1
    assert report.delivered == 1
    assert row.status == Status.DELIVERED


def test_requeue_leaves_a_failed_row_alone_when_the_contact_has_a_newer_pending_one(make_request):
    old = make_request(1004, status=Status.FAILED)
    make_request(1004)

    assert outbox.requeue(UnsubscribeRequest.objects.filter(pk=old.pk)) == 0
    old.refresh_from_db()
    assert old.status == Status.FAILED


def test_delivery_wipes_the_checksum(maileon_sandbox, make_request):
    row = make_request(1004)

    worker.deliver_due()

    row.refresh_from_db()
    assert row.status == Status.DELIVERED and row.verified is True
    assert row.checksum == ""
    assert row.delivered_at is not None and row.leased_until is None


def test_by_email_in_every_listed_account_and_no_address_is_kept(maileon_sandbox, make_request, make_page):
    page = make_page(account_ids="311, 312")
    row = make_request(1002, page=page, mailing_id=88121, reason_type="other", reason_message="Zu viel")

    report = worker.deliver_due()

    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.path == "/contacts/email/john.example+news@example.com/unsubscribe"
    assert call.values("nlaccountid") == ["311", "312"]
    assert call.values("mailingId") == ["88121"]
    assert call.values("reason") == ["other|Zu viel"]
    assert report.delivered == 1
    maileon_sandbox.process_pending()
    assert maileon_sandbox.contacts[1002].unsubscribed
    stored = row_values(row)
    assert "@" not in stored and "john.example" not in stored


def test_a_page_misconfigured_with_account_zero_fails_the_row_instead_of_the_worker(
    maileon_sandbox, make_request, make_page
):
    row = make_request(1002, page=make_page(account_ids="0"))

    report = worker.deliver_due()

    row.refresh_from_db()
    assert report.failed == 1
    assert row.status == Status.FAILED and "positive" in row.last_error
    assert unsubscribe_calls(maileon_sandbox) == []


@pytest.mark.django_db(transaction=True)
def test_the_loop_drains_a_backlog_without_waiting_between_full_passes(maileon_sandbox, make_request):
    for contact_id in (1001, 1002, 1004):
        make_request(contact_id, verified=True)
    stop = threading.Event()
    loop = threading.Thread(target=worker.run, kwargs={"poll_interval": 60, "stop": stop, "limit": 1})

    loop.start()
    try:
        # Watch the sandbox, not the table: on the tests' shared-cache in-memory SQLite a read here while the
        # worker writes fails its write at once ("database table is locked"), and the loop then waits 60 s.
        deadline = time.monotonic() + 10
        while len(unsubscribe_calls(maileon_sandbox)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join(10)

    assert not UnsubscribeRequest.objects.filter(status=Status.PENDING).exists()  # three passes, no 60 s wait
    assert len(unsubscribe_calls(maileon_sandbox)) == 3


# --- batches


@pytest.fixture
def backlog(sandbox_store, make_request):
    """`count` due rows for contacts the sandbox knows, oldest first."""

    def make(count: int, first: int = 710_000) -> list[UnsubscribeRequest]:
        start = timezone.now() - timedelta(minutes=count)
        rows = []
        for n in range(count):
            sandbox_store.add_contact(first + n, f"backlog-{n}@example.invalid")
            rows.append(make_request(first + n, verified=True, next_attempt_at=start + timedelta(minutes=n)))
        return rows

    return make


def test_a_batch_holds_the_most_overdue_rows_under_one_lease(backlog):
    rows = backlog(5)
    now = timezone.now()

    batch = outbox.claim_batch(UnsubscribeRequest, now=now, size=3)

    assert [row.pk for row in batch] == [row.pk for row in rows[:3]]
    assert len({row.lease_id for row in batch}) == 1
    rest = outbox.claim_batch(UnsubscribeRequest, now=now, size=10, exclude=[rows[3].pk])
    assert [row.pk for row in rest] == [rows[4].pk]  # none of the leased rows, nor the excluded one


def test_released_rows_are_due_again_without_an_attempt_counted(backlog):
    rows = backlog(3)
    now = timezone.now()
    batch = outbox.claim_batch(UnsubscribeRequest, now=now, size=3)

    assert outbox.release(batch[1:]) == 2

    again = outbox.claim_batch(UnsubscribeRequest, now=now, size=3)
    assert [row.pk for row in again] == [rows[1].pk, rows[2].pk]
    assert [row.attempts for row in again] == [1, 1]


def test_a_long_pass_costs_about_one_query_per_row(maileon_sandbox, backlog, django_assert_max_num_queries):
    backlog(45)

    # Per row the outcome's UPDATE; per batch of 20 a claim of three queries in a transaction (a savepoint
    # pair inside the test's own), and at the end one empty claim per kind of job (unsubscribes, later reasons).
    # A claim per row would take 45 * 6.
    with django_assert_max_num_queries(45 + 5 * 4 + 1):
        report = worker.deliver_due(limit=None)

    assert report.delivered == 45
    assert len(unsubscribe_calls(maileon_sandbox)) == 45


def test_a_pass_paused_by_the_breaker_gives_back_the_rest_of_its_batch(maileon_sandbox, backlog):
    rows = backlog(8)
    maileon_sandbox.faults.inject(status=503, times=None)

    report = worker.deliver_due(breaker=worker.CircuitBreaker(threshold=3))

    assert (report.retried, report.paused) == (3, True)
    untouched = UnsubscribeRequest.objects.filter(pk__in=[row.pk for row in rows[3:]])
    assert [(row.attempts, row.lease_id, row.leased_until) for row in untouched] == [(0, None, None)] * 5


def test_a_batch_is_given_back_when_the_lease_might_not_cover_the_next_attempt(maileon_sandbox, backlog):
    rows = backlog(3)

    # No slack beyond one attempt's worst case: after each attempt the rest of the batch goes back and is
    # claimed afresh, so no attempt starts under a lease that may run out.
    report = worker.deliver_due(lease_seconds=outbox.ATTEMPT_WORST_CASE_SECONDS)

    assert report.delivered == 3
    assert [row.attempts for row in UnsubscribeRequest.objects.filter(pk__in=[r.pk for r in rows])] == [1, 1, 1]
