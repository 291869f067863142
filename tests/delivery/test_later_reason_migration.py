"""Migration 0005: a reason given later that was still waiting on its unsubscribe row becomes a job of its own."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from preference_center.models import LaterReason, Status, UnsubscribeRequest

BEFORE = [("preference_center", "0004_unsubscribe_per_link")]


@pytest.mark.django_db(transaction=True)
def test_waiting_reasons_move_to_their_own_jobs_with_their_checksum():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("preference_center", "UnsubscribeRequest")
    now = timezone.now()
    common = {"status": "delivered", "delivered_at": now, "reason_type": "no_demand", "reason_added_later": True}
    waiting = old.objects.create(contact_id=1, checksum="abc", reason_delivered=False, **common)
    done = old.objects.create(contact_id=2, checksum="", reason_delivered=True, **common)
    plain = old.objects.create(contact_id=3, checksum="", status="delivered", delivered_at=now)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    job = LaterReason.objects.get()
    assert (job.unsubscribe_id, job.checksum, job.status) == (waiting.pk, "abc", Status.PENDING)
    assert UnsubscribeRequest.objects.get(pk=waiting.pk).checksum == ""  # kept once, on the job
    assert not LaterReason.objects.filter(unsubscribe_id__in=[done.pk, plain.pk]).exists()
