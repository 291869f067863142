"""`@pytest.mark.postgres`: tests that only mean something on PostgreSQL skip on any other database.

`make test` runs the suite twice, on SQLite and on a throw-away PostgreSQL cluster
(scripts/with_postgres.sh), so a marked test runs in the second pass. This module is a pytest plugin:
tests/conftest.py loads it with `pytest_plugins = ["tests.postgres"]`.
"""

import pytest
from django.db import connection


def on_postgresql() -> bool:
    """Whether the default database is PostgreSQL (reads the configured backend; opens no connection)."""
    return connection.vendor == "postgresql"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not on_postgresql():
        pytest.skip(f"needs PostgreSQL, not {connection.vendor}: runs in make test's PostgreSQL pass")
