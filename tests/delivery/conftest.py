"""The delivery tests' own: recorded requests, a clock for the worker, pinned jitter, real processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from preference_center.models import UnsubscribeRequest, Via
from preference_center.maileon import backoff


@pytest.fixture
def make_request(db, sandbox_store):
    """A recorded unsubscribe, due now, as `request_unsubscribe` leaves it when Maileon could not be reached."""

    def make(contact_id: int = 1004, **fields) -> UnsubscribeRequest:
        fields.setdefault("checksum", sandbox_store.checksum_for(contact_id))
        fields.setdefault("via", Via.PAGE)
        fields.setdefault("next_attempt_at", timezone.now())
        return UnsubscribeRequest.objects.create(contact_id=contact_id, **fields)

    return make


@pytest.fixture
def later():
    """A worker clock `seconds` ahead of now: everything scheduled before it is due."""

    def at(seconds: float = 3600) -> timezone.datetime:
        return timezone.now() + timedelta(seconds=seconds)

    return at


@pytest.fixture
def pinned_jitter(monkeypatch):
    """Backoff without randomness: every wait is its ceiling."""
    monkeypatch.setattr(backoff, "jitter", lambda ceiling: ceiling)


@pytest.fixture(autouse=True)
def never_ignore_checksum(sandbox_store):
    """Whatever a test does, our app never sends ignore_checksum."""
    yield
    assert sandbox_store.ignore_checksum_calls() == []


# --- the sandbox as its own HTTP process (preference_center/dev/sandbox/serve.py)


@pytest.fixture(scope="session")
def sandbox_process():
    from preference_center.dev.sandbox.serve import spawn

    process = spawn("--unsubscribe-delay", "0")
    yield process
    process.stop()


@pytest.fixture
def maileon_process(sandbox_process, settings):
    """A fresh sandbox (demo seed, no faults) in its own process, the client pointed at it over HTTP. Yields
    its `Control`. Unsubscribes apply at once (no background delay), so "unsubscribed" can be checked."""
    control = sandbox_process.control
    control.reset()
    control.configure(unsubscribe_delay=0)
    settings.MAILEON_API_URL = sandbox_process.api_url
    settings.MAILEON_API_KEY = "sandbox"
    yield control
    control.clear_faults()


@pytest.fixture
def app_processes(transactional_db, tmp_path, maileon_process, sandbox_process):
    """Real worker processes sharing a database with this test (see tests/delivery/processes.py); the test
    must be marked `django_db(transaction=True)`."""
    from django.db import connection

    from .processes import AppProcesses, shared_database_url

    processes = AppProcesses(shared_database_url(tmp_path), sandbox_process.api_url)
    if connection.vendor != "postgresql":
        processes.manage("migrate", "--noinput")
    yield processes
    processes.stop_workers()
