"""Real `deliver_unsubscribes` processes: one killed mid-delivery, two at once on PostgreSQL. Nothing is lost."""

from __future__ import annotations

import signal

import pytest

from preference_center.models import Status

from .processes import wait_until

# Transactional: on PostgreSQL the worker processes share the test database, so rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

FIRST = 710_000


def test_a_worker_killed_mid_delivery_loses_nothing_another_takes_over_after_the_lease(
    app_processes, maileon_process
):
    maileon_process.add_contacts(FIRST, 1)
    app_processes.record_unsubscribes(FIRST, 1)
    maileon_process.inject(delay=60, method="DELETE")  # Maileon acts, the answer is not yet on its way

    doomed = app_processes.start_worker("--interval", "0.2", "--lease-seconds", "3")
    wait_until(lambda: maileon_process.stats()["calls_by_method"].get("DELETE"), timeout=60, what="the DELETE")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    (row,) = app_processes.rows()
    assert (row["status"], row["attempts"]) == (Status.PENDING, 1)
    assert row["lease_id"] is not None  # held by a dead worker until the lease runs out
    maileon_process.clear_faults()
    app_processes.start_worker("--interval", "0.2", "--lease-seconds", "3")
    (row,) = wait_until(
        lambda: [r for r in app_processes.rows() if r["status"] != Status.PENDING], timeout=90, interval=1,
        what="delivery",
    )

    assert (row["status"], row["attempts"]) == (Status.DELIVERED, 2)
    assert "already unsubscribed" in row["note"]
    assert maileon_process.stats(FIRST, 1)["unsubscribed"] == 1


@pytest.mark.postgres
def test_two_workers_deliver_every_row_exactly_once(app_processes, maileon_process):
    count = 300
    maileon_process.add_contacts(FIRST, count)
    maileon_process.configure(latency_ms=2)
    app_processes.record_unsubscribes(FIRST, count)

    for _ in range(2):
        app_processes.start_worker("--interval", "0.1")
    # Maileon's side first (cheap to ask), then the rows (each look is a manage.py process).
    wait_until(lambda: maileon_process.stats(FIRST, count)["unsubscribed"] == count, timeout=120,
               what="every contact unsubscribed")
    rows = wait_until(
        lambda: (rows := app_processes.rows()) and all(r["status"] != Status.PENDING for r in rows) and rows,
        timeout=60, interval=1, what="all rows settled",
    )

    assert {r["status"] for r in rows} == {Status.DELIVERED}
    assert {r["attempts"] for r in rows} == {1}  # no row was ever claimed twice
    stats = maileon_process.stats(FIRST, count)
    assert stats["unsubscribed"] == count
    assert (stats["accepted_unsubscribes"], stats["duplicate_unsubscribes"]) == (count, 0)
