"""Claims under real concurrency on PostgreSQL (select_for_update(skip_locked=True), then the conditional UPDATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from preference_center.models import UnsubscribeRequest
from preference_center.delivery import outbox
from tests.support import at_once

from .support import claim_one

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgresql_only():
    # The marker alone skips once tests/postgres.py is loaded as a plugin; this keeps it so until then.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: runs in make test's PostgreSQL pass")


def test_many_workers_racing_for_one_row_have_one_winner(make_request):
    make_request(1004)
    now = timezone.now()
    claimed, errors = at_once(lambda: claim_one(now=now), 8)

    assert errors == []
    winners = [row.lease_id for row in claimed if row is not None]
    assert len(winners) == 1
    assert UnsubscribeRequest.objects.get().lease_id == winners[0]


def test_a_row_locked_by_another_claimer_is_skipped_not_waited_for(make_request):
    first = make_request(1004)
    second = make_request(1001)
    now = timezone.now()
    locked, release = threading.Event(), threading.Event()

    def other_claimer():
        try:
            with transaction.atomic():
                list(UnsubscribeRequest.objects.select_for_update().filter(pk=first.pk))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_claimer)
    thread.start()
    try:
        assert locked.wait(10)
        row = claim_one(now=now)
    finally:
        release.set()
        thread.join()

    assert row is not None and row.pk == second.pk


def test_workers_claiming_batches_at_once_never_share_a_row(make_request):
    rows = [make_request(1001 + n) for n in range(4)] + [make_request(2001 + n) for n in range(26)]
    now = timezone.now()
    batches, errors = at_once(
        lambda: [row.pk for row in outbox.claim_batch(UnsubscribeRequest, now=now, size=10)], 4)

    assert errors == []
    claimed = [pk for batch in batches for pk in batch]
    assert len(claimed) == len(set(claimed))  # no row in two batches
    assert len(claimed) == 30  # skip_locked: nobody waited, every row went to one of them
    leases = {row.pk: row.lease_id for row in UnsubscribeRequest.objects.filter(pk__in=[r.pk for r in rows])}
    assert all(len({leases[pk] for pk in batch}) == 1 for batch in batches if batch)  # one lease per batch
