"""Fault injection over real sockets: the sandbox in its own process, the worker in this one.

Every test ends the same way: every request delivered, and Maileon (the sandbox) has the contact unsubscribed.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.models import Status, UnsubscribeRequest, Via
from preference_center.dev.sandbox.store import checksum_for
from preference_center.services.unsubscribe import request_unsubscribe

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = 700_000  # contacts added for these tests


def submit(contact_id: int, *, mailing_id: int | None = None) -> UnsubscribeRequest:
    """A recipient's page POST as the view makes it (the inline attempt included)."""
    from preference_center.links import ContactLink

    link = ContactLink(contact_id=contact_id, checksum=checksum_for(contact_id), mailing_id=mailing_id)
    return request_unsubscribe(link=link, page=None, reason=None, message="", via=Via.PAGE, language="de").row


def assert_nothing_lost(control, first: int, count: int) -> None:
    rows = UnsubscribeRequest.objects.filter(contact_id__gte=first, contact_id__lt=first + count)
    assert rows.count() == count
    assert set(rows.values_list("status", flat=True)) == {Status.DELIVERED}
    stats = control.stats(first, count)
    assert stats["unsubscribed"] == count, stats["not_unsubscribed_ids"]


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_submitted_during_a_503_outage_and_delivered_after(maileon_process):
    maileon_process.add_contacts(FIRST, 3)
    maileon_process.inject(status=503, times=None)
    rows = [submit(FIRST + n) for n in range(3)]
    assert {row.status for row in rows} == {Status.PENDING}
    assert worker.deliver_due().retried == 3

    maileon_process.clear_faults()
    report = worker.deliver_due(now=timezone.now() + timedelta(minutes=2))

    assert report.delivered == 3
    assert_nothing_lost(maileon_process, FIRST, 3)


def test_429_with_retry_after_holds_the_row_and_the_whole_pass(maileon_process, pinned_jitter):
    maileon_process.add_contacts(FIRST, 3)
    maileon_process.inject(status=503, times=None)
    for n in range(3):
        submit(FIRST + n)  # recorded while down: the worker has three rows
    maileon_process.clear_faults()
    maileon_process.inject(status=429, retry_after=30, times=1)
    calls_before = maileon_process.stats()["calls"]
    now = timezone.now() + timedelta(minutes=2)

    first_pass = worker.deliver_due(now=now, breaker=(breaker := worker.CircuitBreaker()))

    (limited,) = UnsubscribeRequest.objects.exclude(last_error="").filter(last_error__contains="429")
    assert limited.next_attempt_at >= now + timedelta(seconds=30)
    assert (first_pass.retried, first_pass.delivered, first_pass.paused) == (1, 0, True)
    assert maileon_process.stats()["calls"] == calls_before + 1  # the other rows waited too
    assert worker.deliver_due(now=now + timedelta(seconds=29), breaker=breaker).attempted == 0
    assert maileon_process.stats()["calls"] == calls_before + 1

    after = worker.deliver_due(now=now + timedelta(seconds=30), breaker=breaker)

    assert after.delivered == 3
    assert_nothing_lost(maileon_process, FIRST, 3)


def test_a_read_timeout_after_maileon_acted_is_delivered_on_retry(maileon_process, settings):
    maileon_process.add_contacts(FIRST, 1)
    settings.MAILEON_READ_TIMEOUT = 0.5
    maileon_process.inject(delay=3, method="DELETE")  # carried out, answered too late

    row = submit(FIRST)

    assert row.status == Status.PENDING and "timed out" in row.last_error
    assert maileon_process.stats(FIRST, 1)["unsubscribed"] == 1  # Maileon had it all along
    maileon_process.clear_faults()
    report = worker.deliver_due(now=timezone.now() + timedelta(minutes=2))

    row.refresh_from_db()
    assert report.delivered == 1 and report.failed == 0
    assert "already unsubscribed" in row.note
    assert_nothing_lost(maileon_process, FIRST, 1)


def test_a_refused_connection_keeps_the_row_until_maileon_listens_again(maileon_process, settings):
    maileon_process.add_contacts(FIRST, 1)
    api_url = settings.MAILEON_API_URL
    settings.MAILEON_API_URL = f"http://127.0.0.1:{closed_port()}/1.0"

    row = submit(FIRST)
    outage = worker.deliver_due(now=timezone.now() + timedelta(minutes=2))

    row.refresh_from_db()
    assert row.status == Status.PENDING and outage.retried == 1
    assert "refused" in row.last_error.lower() or "connect" in row.last_error.lower()
    settings.MAILEON_API_URL = api_url
    assert worker.deliver_due(now=timezone.now() + timedelta(minutes=4)).delivered == 1
    assert_nothing_lost(maileon_process, FIRST, 1)


def test_a_connection_dropped_after_maileon_applied_the_unsubscribe_counts_as_delivered(maileon_process):
    maileon_process.add_contacts(FIRST, 1)
    maileon_process.inject(drop_after_apply=True, method="DELETE")

    row = submit(FIRST)  # verified by its read; Maileon applies the DELETE and the connection drops

    assert row.status == Status.PENDING and row.verified
    assert maileon_process.stats(FIRST, 1)["unsubscribed"] == 1  # applied, the answer never came
    retry = worker.deliver_due(now=timezone.now() + timedelta(minutes=2))

    row.refresh_from_db()
    assert (retry.delivered, retry.failed) == (1, 0)
    assert "already unsubscribed" in row.note
    assert_nothing_lost(maileon_process, FIRST, 1)


def test_a_connection_dropped_before_maileon_acted_is_sent_again(maileon_process):
    maileon_process.add_contacts(FIRST, 1)
    maileon_process.inject(drop=True, method="DELETE")

    row = submit(FIRST)

    assert row.status == Status.PENDING
    assert maileon_process.stats(FIRST, 1)["unsubscribed"] == 0
    assert worker.deliver_due(now=timezone.now() + timedelta(minutes=2)).delivered == 1
    assert_nothing_lost(maileon_process, FIRST, 1)


def test_a_down_maileon_gets_one_probe_per_interval_and_the_backlog_drains_when_it_returns(maileon_process):
    count = 20
    maileon_process.add_contacts(FIRST, count)
    maileon_process.inject(status=503, times=None)
    for n in range(count):  # as submissions leave them while Maileon is down: unverified, due
        UnsubscribeRequest.objects.create(contact_id=FIRST + n, checksum=checksum_for(FIRST + n), via=Via.PAGE,
                                          next_attempt_at=timezone.now())
    breaker = worker.CircuitBreaker(threshold=3, probe_interval=10)
    start = timezone.now() + timedelta(hours=1)  # every row due, whatever its backoff
    before = maileon_process.stats()["calls"]

    reports = [worker.deliver_due(now=start + timedelta(seconds=second), breaker=breaker) for second in range(31)]

    outage_calls = maileon_process.stats()["calls"] - before
    # The threshold's worth of rows, then one probe at 10, 20 and 30 s: one call each (no inline retries).
    assert outage_calls == 3 + 3
    assert sum(report.attempted for report in reports) == 6
    maileon_process.clear_faults()
    recovered = worker.deliver_due(now=start + timedelta(seconds=40), breaker=breaker)
    assert recovered.delivered == count
    assert_nothing_lost(maileon_process, FIRST, count)


def test_a_mailing_maileon_refuses_is_dropped_and_the_unsubscribe_still_happens(maileon_process):
    maileon_process.add_contacts(FIRST, 2)
    maileon_process.inject(status=503, times=None)
    rows = [submit(FIRST, mailing_id=99999), submit(FIRST + 1, mailing_id=88120)]  # a draft, a sent mailing
    maileon_process.clear_faults()

    worker.deliver_due(now=timezone.now() + timedelta(minutes=2))

    draft, sent = (UnsubscribeRequest.objects.get(pk=row.pk) for row in rows)
    assert "without mailing id 99999" in draft.note and draft.mailing_id == 99999
    assert "mailing" not in sent.note
    assert_nothing_lost(maileon_process, FIRST, 2)
