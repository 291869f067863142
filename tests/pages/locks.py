"""A table held by another database connection, so that the app's next statement on it fails as it would when a
crowd outlasts the busy timeout, or the database is gone. Real locks, nothing patched.

SQLite (the in-memory test database, shared cache): the app's statement fails at once with "database table is
locked". PostgreSQL: it waits for `lock_timeout`, which `short_lock_timeout` makes short for the test's
connection and for any connection opened while the test runs (a server thread's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

LOCK_TIMEOUT = "300ms"


@pytest.fixture
def short_lock_timeout(transactional_db) -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"ALTER DATABASE {database} SET lock_timeout = '{LOCK_TIMEOUT}'")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {database} RESET lock_timeout")
        cursor.execute("RESET lock_timeout")


@contextmanager
def table_held(model: type[Model], *, reads_too: bool = False) -> Iterator[None]:
    """Another connection holds `model`'s table against writes (an insert fails), or against reads too."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    table = other.ops.quote_name(model._meta.db_table)
    try:
        with other.cursor() as cursor:
            if other.vendor == "postgresql":
                cursor.execute("BEGIN")
                cursor.execute(f"LOCK TABLE {table} IN {'ACCESS EXCLUSIVE' if reads_too else 'EXCLUSIVE'} MODE")
            else:
                cursor.execute("BEGIN IMMEDIATE")  # the one writer
                if reads_too:  # shared cache: a table written to in an open transaction is locked for reading
                    cursor.execute(f"UPDATE {table} SET id = id WHERE 1 = 0")
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute("ROLLBACK")
        other.close()
