"""Fault switches: answers Maileon could give on a bad day (through the `responses` door; real sockets in
test_django_door.py)."""

import pytest
import requests

from .conftest import error_message


def test_a_status_fault_answers_once_with_retry_after_then_the_sandbox_recovers(sandbox):
    sandbox.store.faults.inject(status=503, retry_after=7)
    failed = sandbox.read(1001)
    assert (failed.status_code, failed.headers["Retry-After"]) == (503, "7")
    assert error_message(failed) == "sandbox fault"
    assert sandbox.read(1001).status_code == 200


def test_a_fault_for_a_number_of_calls_or_until_cleared(sandbox):
    faults = sandbox.store.faults
    faults.inject(status=429, times=2)
    assert [sandbox.read(1001).status_code for _ in range(3)] == [429, 429, 200]
    faults.inject(status=500, times=None)
    assert [sandbox.read(1001).status_code for _ in range(3)] == [500, 500, 500]
    faults.clear()
    assert sandbox.read(1001).status_code == 200


def test_a_fault_can_aim_at_one_method_or_path(sandbox):
    sandbox.store.faults.inject(status=500, method="DELETE", path_contains="/unsubscribe", times=None)
    assert sandbox.read(1001).status_code == 200
    assert sandbox.call("DELETE", "/contacts/contact/unsubscribe", [("id", "1004")]).status_code == 500
    assert sandbox.store.pending_unsubscribes == []  # a faulted call changes nothing


def test_faulted_calls_are_logged_like_any_other(sandbox):
    sandbox.store.faults.inject(status=503)
    sandbox.read(1001)
    sandbox.read(1001)
    assert len(sandbox.store.calls) == 2


def test_a_short_delay_only_makes_the_answer_late(sandbox):
    sandbox.store.faults.inject(delay=0.05)
    assert sandbox.read(1001).status_code == 200


def test_a_delay_beyond_the_read_timeout_is_a_timeout_yet_the_change_happened(sandbox):
    sandbox.store.faults.inject(delay=30, method="DELETE")
    with pytest.raises(requests.ReadTimeout):
        sandbox.call("DELETE", "/contacts/contact/unsubscribe", [("id", "1004")], timeout=(1, 2))
    assert sandbox.store.is_unsubscribe_pending(1004)  # the answer was lost, not the request


def test_a_drop_is_a_connection_error_and_changes_nothing(sandbox):
    sandbox.store.faults.inject(drop=True)
    with pytest.raises(requests.ConnectionError):
        sandbox.call("DELETE", "/contacts/contact/unsubscribe", [("id", "1004")])
    assert sandbox.store.pending_unsubscribes == []


def test_a_fault_cannot_both_answer_and_drop(sandbox):
    with pytest.raises(ValueError):
        sandbox.store.faults.inject(status=503, drop=True)


def test_reset_restores_the_demo_seed_and_clears_faults_and_logs(sandbox):
    store = sandbox.store
    store.faults.inject(status=500, times=None)
    sandbox.read(1001)
    store.contact(1001).email = None
    store.reset()
    assert sandbox.read_contact(1001).email == "erika.beispiel@example.org"
    assert len(store.calls) == 1


def test_clearing_faults_cuts_a_running_delay_short(sandbox):
    import threading
    import time

    sandbox.store.faults.inject(delay=4)
    finished = []
    worker = threading.Thread(target=lambda: finished.append(sandbox.read(1001).status_code))
    started = time.monotonic()
    worker.start()
    time.sleep(0.2)
    sandbox.store.faults.clear()
    worker.join(3)
    assert finished == [200]
    assert time.monotonic() - started < 2
