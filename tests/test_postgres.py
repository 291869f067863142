"""The PostgreSQL pass of `make test` really runs on PostgreSQL, with the row locks the delivery worker uses."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_skip_locked_passes_over_a_row_another_connection_holds():
    Group.objects.create(name="held")
    Group.objects.create(name="free")
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        # A thread gets its own database connection, like a second worker process.
        try:
            with transaction.atomic():
                Group.objects.select_for_update().get(name="held")
                locked.set()
                release.wait(timeout=30)
        finally:
            locked.set()  # never leave the test waiting for a holder that failed
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(hold_lock)
        try:
            assert locked.wait(timeout=30)
            assert not holder.done(), holder.exception()
            with transaction.atomic():
                # The lock is real: asking for the row without waiting fails...
                with pytest.raises(DatabaseError), transaction.atomic():
                    list(Group.objects.select_for_update(nowait=True).filter(name="held"))
                # ...and skip_locked hands out only what nobody holds.
                claimable = Group.objects.select_for_update(skip_locked=True).order_by("name")
                assert list(claimable.values_list("name", flat=True)) == ["free"]
        finally:
            release.set()
        holder.result(timeout=30)

    with transaction.atomic():
        claimable = Group.objects.select_for_update(skip_locked=True).order_by("name")
        assert list(claimable.values_list("name", flat=True)) == ["free", "held"]
