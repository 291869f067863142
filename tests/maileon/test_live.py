"""The real client against the sandbox behind a real server (`live_maileon`): timeouts, dropped connections
and Retry-After as sockets and clocks see them, which `responses` cannot show."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from preference_center.maileon import ContactChanges, MaileonClient, MaileonConfig, UnavailableError

READ_TIMEOUT = 0.4


@pytest.fixture
def maileon(live_maileon, settings) -> MaileonClient:
    config = MaileonConfig(
        base_url=settings.MAILEON_API_URL,
        api_key="sandbox",
        connect_timeout=2.0,
        read_timeout=READ_TIMEOUT,
        read_retries=2,
        max_retry_after=3.0,
    )
    return MaileonClient(config)


def read_erika(maileon, store):
    return maileon.get_contact(contact_id=1001, checksum=store.checksum_for(1001), standard_fields=["FIRSTNAME"])


def test_a_read_slower_than_the_read_timeout_is_unavailable_quickly(maileon, live_maileon):
    live_maileon.faults.inject(delay=3 * READ_TIMEOUT + 1, times=None)
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        read_erika(maileon, live_maileon)
    elapsed = time.monotonic() - started
    # At most three attempts of one read timeout each, plus short backoffs: far less than one slow answer.
    assert elapsed < 3 * READ_TIMEOUT + 1
    assert 1 <= len(live_maileon.calls) <= 3


def test_a_slow_update_is_unavailable_after_one_attempt(maileon, live_maileon):
    live_maileon.faults.inject(delay=2, times=None)
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        maileon.update_contact(
            contact_id=1001,
            checksum=live_maileon.checksum_for(1001),
            changes=ContactChanges(standard_fields={"CITY": "Bonn"}),
        )
    assert time.monotonic() - started < READ_TIMEOUT + 1
    assert [call.method for call in live_maileon.calls] == ["PUT"]  # a PUT is never retried inline


def test_a_dropped_connection_is_unavailable(maileon, live_maileon):
    live_maileon.faults.inject(drop=True, times=None)
    with pytest.raises(UnavailableError):
        read_erika(maileon, live_maileon)
    with pytest.raises(UnavailableError):
        maileon.unsubscribe_contact(contact_id=1004)
    assert [call.method for call in live_maileon.calls][-1] == "DELETE"
    assert live_maileon.pending_unsubscribes == []


def test_a_dropped_connection_once_is_retried_on_a_read(maileon, live_maileon):
    live_maileon.faults.inject(drop=True, times=1)
    assert read_erika(maileon, live_maileon).standard_fields["FIRSTNAME"] == "Erika"
    assert len(live_maileon.calls) == 2


@pytest.mark.parametrize("status", [503, 429])
def test_a_busy_answer_with_retry_after_on_a_read_is_retried_then_succeeds(maileon, live_maileon, status):
    live_maileon.faults.inject(status=status, retry_after=1, times=1, method="GET")
    started = time.monotonic()
    contact = read_erika(maileon, live_maileon)
    assert contact.standard_fields["FIRSTNAME"] == "Erika"
    assert len(live_maileon.calls) == 2
    assert time.monotonic() - started >= 0.9  # Retry-After was honoured


def test_a_retry_after_longer_than_we_wait_is_reported_not_waited_for(maileon, live_maileon):
    live_maileon.faults.inject(status=503, retry_after=120, times=1)
    with pytest.raises(UnavailableError) as unavailable:
        read_erika(maileon, live_maileon)
    assert unavailable.value.retry_after == 120
    assert len(live_maileon.calls) == 1


def test_close_ends_every_threads_kept_alive_connection_and_the_client_goes_on(live_maileon, settings):
    client = MaileonClient(MaileonConfig(base_url=settings.MAILEON_API_URL, api_key="sandbox"))
    checksum = live_maileon.checksum_for(1001)
    others = set(threading.enumerate())
    worker = threading.Thread(target=lambda: client.get_contact(contact_id=1001, checksum=checksum))
    worker.start()
    worker.join(timeout=10)
    client.get_contact(contact_id=1001, checksum=checksum)
    open_before = [t for t in threading.enumerate() if "process_request_thread" in t.name and t not in others]
    assert len(open_before) >= 2  # each thread's session keeps a connection (a server thread) open

    client.close()
    for thread in open_before:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in open_before)
    assert client.get_contact(contact_id=1001, checksum=checksum).id == 1001  # a fresh session
    client.close()


# --- POST /transactions: never twice once it may have reached Maileon


def test_a_transaction_whose_connection_drops_is_not_sent_again(maileon, live_maileon):
    live_maileon.faults.inject(drop=True, times=1, method="POST")
    with pytest.raises(UnavailableError):
        maileon.create_transaction(type_id=7001, email="erika.beispiel@example.org")
    assert [call.path for call in live_maileon.calls] == ["/transactions"]


def test_a_transaction_slower_than_the_read_timeout_is_not_sent_again(maileon, live_maileon):
    live_maileon.faults.inject(delay=READ_TIMEOUT + 1, times=1, method="POST")
    with pytest.raises(UnavailableError):
        maileon.create_transaction(type_id=7001, email="erika.beispiel@example.org")
    live_maileon.faults.clear()
    assert [call.path for call in live_maileon.calls] == ["/transactions"]
    assert [mail.contact_id for mail in live_maileon.transaction_mails] == [1001]  # Maileon went on: one mail


def test_a_transaction_to_a_port_nobody_listens_on_is_tried_again_within_the_budget(caplog):
    with socket.socket() as probe:  # a free port, closed again: connecting is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MaileonClient(MaileonConfig(base_url=f"http://127.0.0.1:{port}/1.0", api_key="sandbox",
                                         connect_timeout=1.0, read_timeout=READ_TIMEOUT, read_retries=2))
    caplog.set_level("INFO", logger="preference_center.maileon.transport")
    with pytest.raises(UnavailableError) as unavailable:
        client.create_transaction(type_id=7001, email="erika.beispiel@example.org")
    assert "connection failed" in str(unavailable.value)
    attempts = [r for r in caplog.records if "create_transaction POST" in r.getMessage()]
    assert len(attempts) == 3  # refused before sending: safe to try again, twice more
