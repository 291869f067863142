"""The two database passes of `make test`: everything on SQLite, then again on a throw-away PostgreSQL cluster
(scripts/with_postgres.sh) whatever touches the database. This module is a pytest plugin: tests/conftest.py
loads it with `pytest_plugins = ["tests.postgres"]`.

- `@pytest.mark.postgres`: only means something on PostgreSQL; skipped on any other database.
- `@pytest.mark.database`: touches the database without pytest-django's fixtures (processes of its own reading
  DATABASE_URL); it runs in the PostgreSQL pass too.
- On PostgreSQL, a test that touches no database (the client, the sandbox, catalogues) is left out: it ran in
  the first pass, and would only repeat it.
"""

import pytest
from django.db import connection


def on_postgresql() -> bool:
    """Whether the default database is PostgreSQL (reads the configured backend; opens no connection)."""
    return connection.vendor == "postgresql"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not on_postgresql():
        pytest.skip(f"needs PostgreSQL, not {connection.vendor}: runs in make test's PostgreSQL pass")


DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                               "live_server"})


def touches_the_database(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in ("django_db", "postgres", "database")):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgresql():
        return
    left_out = [item for item in items if not touches_the_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if touches_the_database(item)]
