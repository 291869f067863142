"""Retries (GET only, bounded, Retry-After honoured and capped), sessions per thread, and secrets kept out of
messages and logs."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
import responses

from preference_center.maileon import (
    ContactChanges,
    MaileonClient,
    MaileonConfig,
    ReasonType,
    UnavailableError,
    UnsubscribeReason,
)
from preference_center.maileon import codec
from preference_center.maileon.transport import Transport, parse_retry_after
from preference_center.redaction import REDACTED, RedactSecrets

from .conftest import API_KEY, BASE_URL, CHECKSUM, EXPECTED_AUTHORIZATION, contact_xml

CONTACT = contact_xml(7)
NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def read(client):
    return client.get_contact(contact_id=7, checksum=CHECKSUM)


# --- GET retries


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_after_a_transient_status(client, maileon, sleeps, status):
    maileon.answer("GET", "/contacts/contact", status=status)
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    assert read(client).id == 7
    assert len(maileon.calls) == 2
    assert sleeps == [0.2]  # first backoff step, jitter pinned to its ceiling


@pytest.mark.parametrize(
    "exception", [requests.ConnectTimeout("c"), requests.ReadTimeout("r"), requests.ConnectionError("x")]
)
def test_get_is_retried_when_no_answer_came(client, maileon, sleeps, exception):
    maileon.answer("GET", "/contacts/contact", exception=exception)
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    assert read(client).id == 7
    assert len(maileon.calls) == 2 and len(sleeps) == 1


def test_get_retries_are_bounded_and_back_off(client, maileon, sleeps, config):
    maileon.answer("GET", "/contacts/contact", status=503, body=codec.encode_error("maintenance"))
    with pytest.raises(UnavailableError) as raised:
        read(client)
    assert len(maileon.calls) == 1 + config.read_retries
    assert sleeps == [0.2, 0.4]
    assert (raised.value.status, raised.value.message) == (503, "maintenance")


def test_the_reads_backoff_doubles_and_is_capped_within_the_time_budget(maileon, sleeps):
    client = MaileonClient(MaileonConfig(base_url=BASE_URL, api_key=API_KEY, read_retries=6, read_timeout=10))
    maileon.answer("GET", "/contacts/contact", status=503)
    with pytest.raises(UnavailableError):
        read(client)
    assert sleeps == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


def test_no_retries_when_the_budget_is_zero(maileon, sleeps):
    client = MaileonClient(MaileonConfig(base_url=BASE_URL, api_key=API_KEY, read_retries=0))
    maileon.answer("GET", "/contacts/contact", exception=requests.ReadTimeout("r"))
    with pytest.raises(UnavailableError):
        read(client)
    assert len(maileon.calls) == 1 and sleeps == []


def test_retry_after_in_seconds_is_honoured(client, maileon, sleeps):
    maileon.answer("GET", "/contacts/contact", status=429, headers={"Retry-After": "3"})
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    read(client)
    assert sleeps == [3.0]


def test_retry_after_as_http_date_is_honoured(client, maileon, sleeps, monkeypatch):
    monkeypatch.setattr(Transport, "_now", lambda self: NOW)
    retry_at = format_datetime(NOW + timedelta(seconds=4), usegmt=True)
    maileon.answer("GET", "/contacts/contact", status=503, headers={"Retry-After": retry_at})
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    read(client)
    assert sleeps == [4.0]


def test_retry_after_beyond_the_cap_is_not_waited_for(client, maileon, sleeps, config):
    maileon.answer("GET", "/contacts/contact", status=429, headers={"Retry-After": "120"})
    with pytest.raises(UnavailableError) as raised:
        read(client)
    assert len(maileon.calls) == 1 and sleeps == []
    assert raised.value.retry_after == 120.0 and raised.value.status == 429


def test_last_answer_carries_retry_after(client, maileon, sleeps):
    maileon.answer("GET", "/contacts/contact", status=503, headers={"Retry-After": "1"})
    with pytest.raises(UnavailableError) as raised:
        read(client)
    assert sleeps == [1.0, 1.0] and raised.value.retry_after == 1.0


def test_500_is_not_retried_inline(client, maileon, sleeps):
    maileon.answer("GET", "/contacts/contact", status=500)
    with pytest.raises(UnavailableError):
        read(client)
    assert len(maileon.calls) == 1 and sleeps == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("17", 17.0),
        ("soon", None),
        ("-5", None),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(seconds=90), usegmt=True), 0.0),
        ("Wed, 01 Jan 2026 12:00:30", 30.0),  # no zone: read as GMT
    ],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


# --- writes are never retried inline


@pytest.mark.parametrize(
    ("method", "path", "invoke"),
    [
        (
            "PUT",
            "/contacts/contact",
            lambda c: c.update_contact(contact_id=7, checksum="c", changes=ContactChanges(email="a@b.c")),
        ),
        ("DELETE", "/contacts/contact/unsubscribe", lambda c: c.unsubscribe_contact(contact_id=7)),
        (
            "DELETE",
            "/contacts/email/a%40b.c/unsubscribe",
            lambda c: c.unsubscribe_contacts_by_email(email="a@b.c", newsletter_account_ids=[1]),
        ),
        (
            "PUT",
            "/contacts/contact/unsubscribe/reasons",
            lambda c: c.add_unsubscribe_reasons(
                contact_id=7, checksum="c", reasons=[UnsubscribeReason(ReasonType.NO_DEMAND)]
            ),
        ),
    ],
)
@pytest.mark.parametrize(
    "answer",
    [{"status": 503, "headers": {"Retry-After": "1"}}, {"status": 429}, {"status": 502},
     {"exception": requests.ReadTimeout("r")}, {"exception": requests.ConnectionError("x")}],
)
def test_writes_are_not_retried(client, maileon, sleeps, method, path, invoke, answer):
    maileon.answer(method, path, **answer)
    maileon.answer(method, path, status=204)  # would succeed, if it were (wrongly) retried
    with pytest.raises(UnavailableError):
        invoke(client)
    assert len(maileon.calls) == 1 and sleeps == []


# --- sessions


def test_one_session_per_thread_reused_within_the_thread(config):
    transport = Transport(config)
    mine = transport._session()
    assert transport._session() is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(transport._session()))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_sessions_do_not_retry_in_urllib3(config):
    adapter = Transport(config)._session().get_adapter(BASE_URL)
    assert adapter.max_retries.total == 0


def test_proxy_and_ca_bundle_from_the_environment_are_used(config, maileon, monkeypatch):
    # Read once when a thread's session is made (requests would walk the environment on every call).
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company-ca.pem")
    maileon.answer("GET", "/contacts/contact", body=CONTACT)

    read(MaileonClient(config))

    sent = maileon.mock.calls[0].request.req_kwargs
    assert sent["proxies"].get("https") == "http://proxy.internal:3128"
    assert sent["verify"] == "/etc/ssl/company-ca.pem"


def test_no_proxy_exempts_maileon(config, maileon, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "api.maileon.test")
    maileon.answer("GET", "/contacts/contact", body=CONTACT)

    read(MaileonClient(config))

    assert not maileon.mock.calls[0].request.req_kwargs["proxies"].get("https")


def test_close_drops_this_threads_session(config):
    transport = Transport(config)
    first = transport._session()
    transport.close()
    transport.close()  # closing twice is harmless
    assert transport._session() is not first


def test_concurrent_reads_from_threads(client, maileon):
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    results, errors = [], []

    def work():
        try:
            results.append(read(client).id)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [7] * 8


# --- secrets


def test_errors_without_answer_name_neither_url_nor_checksum(client, maileon):
    failure = requests.ConnectionError(f"Max retries exceeded with url: /?checksum={CHECKSUM}")
    maileon.answer("GET", "/contacts/contact", exception=failure)
    with pytest.raises(UnavailableError) as raised:
        read(client)
    for text in (str(raised.value), repr(raised.value), raised.value.message):
        assert CHECKSUM not in text and "api.maileon.test" not in text


def test_maileon_messages_echoing_secrets_are_masked(client, maileon):
    echo = f"bad checksum {CHECKSUM} for erika.beispiel@example.org with key {API_KEY}"
    maileon.answer("GET", "/contacts/contact", status=401, body=codec.encode_error(echo))
    with pytest.raises(Exception) as raised:
        read(client)
    message = str(raised.value)
    assert CHECKSUM not in message and API_KEY not in message and "erika" not in message
    assert "bad checksum" in message


def test_report_messages_echoing_an_address_are_masked(client, maileon):
    body = codec.encode_report(success=False, field_errors={"email": "neu@example.org is a duplicate"})
    maileon.answer("PUT", "/contacts/contact", body=body)
    with pytest.raises(Exception) as raised:
        client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(email="neu@example.org"))
    assert "neu@example.org" not in str(raised.value)
    assert raised.value.field_errors == {"email": f"{REDACTED} is a duplicate"}


def test_logs_name_operation_status_and_contact_but_no_secret(client, maileon, caplog):
    caplog.set_level(logging.DEBUG)
    maileon.answer("GET", "/contacts/contact", status=503)
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    maileon.answer("DELETE", "/contacts/email/erika%40example.org/unsubscribe", status=204)
    read(client)
    client.unsubscribe_contacts_by_email(email="erika@example.org", newsletter_account_ids=[1])
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "get_contact" in text and "503" in text and "contact_id=7" in text
    assert "unsubscribe_contacts_by_email" in text
    for secret in (CHECKSUM, API_KEY, "erika", "c2VjcmV0LWtleQ"):
        assert secret not in text


def test_urllib3_request_lines_are_redacted(config):
    Transport(config)
    # The shape of urllib3's request line (connectionpool._make_request).
    path = f"/1.0/contacts/email/erika%40example.org/unsubscribe?id=7&checksum={CHECKSUM}&x=1"
    args = ("https", "api.maileon.com", 443, "DELETE", path, "HTTP/1.1", 204, 0)
    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, __file__, 1, '%s://%s:%s "%s %s %s" %s %s', args, None
    )
    assert any(isinstance(f, RedactSecrets) for f in logging.getLogger("urllib3.connectionpool").filters)
    assert RedactSecrets().filter(record)
    message = record.getMessage()
    assert CHECKSUM not in message and "erika" not in message
    assert f"checksum={REDACTED}&x=1" in message and "id=7" in message


def test_reprs_hide_the_key(client):
    for text in (repr(client), repr(client._transport), repr(client._transport._auth), repr(client.config)):
        assert API_KEY not in text and "c2VjcmV0LWtleQ" not in text


def test_the_real_sleep_pauses(config, monkeypatch):
    paused = []
    monkeypatch.setattr("preference_center.maileon.transport.time.sleep", paused.append)
    Transport(config)._sleep(0.5)
    assert paused == [0.5]


def test_now_is_aware_utc(config):
    assert Transport(config)._now().tzinfo is timezone.utc


def test_retries_stop_when_the_time_budget_is_spent(client, maileon, sleeps, config, monkeypatch):
    # The first (timed-out) read used up all but 0.1 s of the budget: less than the 0.2 s backoff.
    budget = config.connect_timeout + config.read_timeout + config.max_retry_after
    ticks = iter([0.0, budget - 0.1])
    monkeypatch.setattr(Transport, "_clock", lambda self: next(ticks))
    maileon.answer("GET", "/contacts/contact", exception=requests.ReadTimeout("r"))
    with pytest.raises(UnavailableError):
        read(client)
    assert len(maileon.calls) == 1 and sleeps == []


def test_retry_within_the_time_budget(client, maileon, sleeps, config, monkeypatch):
    ticks = iter([0.0, config.read_timeout])
    monkeypatch.setattr(Transport, "_clock", lambda self: next(ticks))
    maileon.answer("GET", "/contacts/contact", exception=requests.ReadTimeout("r"))
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    assert read(client).id == 7
    assert sleeps == [0.2]


def test_real_clock_is_monotonic(config):
    transport = Transport(config)
    assert transport._clock() <= transport._clock()


# --- the request on the wire: what requests' Session.request would have built (Transport builds it itself)

AWKWARD_PARAMS = [("id", "7"), ("checksum", "a+b/c=d&e f%"), ("standard_field", "FIRSTNAME"),
                  ("standard_field", "LASTNAME"), ("src", "Zürich ü €"), ("empty", ""), ("dropped", None)]


@pytest.mark.parametrize(
    ("base_url", "method", "path", "params", "body"),
    [
        (BASE_URL, "GET", "/contacts/contact", AWKWARD_PARAMS, None),
        (BASE_URL, "GET", "/contacts/contact", [], None),
        (BASE_URL, "PUT", "/contacts/contact", [("id", "7"), ("checksum", "x y")], b"<contact>\xc3\xbc</contact>"),
        (BASE_URL, "PUT", "/contacts/contact/unsubscribe/reasons", [("reason", "zu viele Mails")], None),
        (BASE_URL, "POST", "/contacts/email/a%2Bb%40example.org", [("permission", "1")], b"<contact/>"),
        ("https://api.maileon.test", "GET", "/contacts/contact", [("id", "7")], None),
        ("https://API.Maileon.test:8443/1.0", "GET", "/contacts/contact", [("id", "7")], None),  # requests' way
    ],
)
def test_the_request_sent_is_the_one_session_request_would_build(base_url, method, path, params, body):
    config = MaileonConfig(base_url=base_url, api_key=API_KEY, read_retries=0)
    transport = Transport(config)
    with responses.RequestsMock() as mock:
        mock.add(method, re.compile(".*"), status=200, body=b"<ok/>", content_type="application/xml")
        transport.request(method, path, params=params, body=body, operation="probe")
        sent = mock.calls[0].request

    headers = {"Accept": "application/vnd.maileon.api+xml; charset=utf-8", "User-Agent": config.user_agent}
    if body is not None or method in ("PUT", "POST"):
        headers["Content-Type"] = headers["Accept"]
    expected = requests.Session().prepare_request(requests.Request(
        method, base_url.rstrip("/") + path, params=params, data=body, headers=headers,
        auth=lambda request: request.headers.update(Authorization=EXPECTED_AUTHORIZATION) or request,
    ))
    assert (sent.method, sent.url, sent.body) == (expected.method, expected.url, expected.body)
    assert list(sent.headers.items()) == list(expected.headers.items())


def test_cookies_maileon_sets_are_sent_back_as_a_session_would(config, maileon):
    maileon.answer("GET", "/contacts/contact", body=CONTACT, headers={"Set-Cookie": "lb=node-3; Path=/"})
    client = MaileonClient(config)
    read(client)
    read(client)
    first, second = maileon.mock.calls[0].request, maileon.mock.calls[1].request
    assert "Cookie" not in first.headers
    assert second.headers["Cookie"] == "lb=node-3"


def test_a_read_answered_at_once_is_logged_at_debug_only(client, maileon, caplog):
    caplog.set_level(logging.INFO, logger="preference_center.maileon.transport")
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    read(client)
    assert [r.getMessage() for r in caplog.records] == []


def test_retries_failures_and_writes_are_logged_at_info(client, maileon, caplog):
    caplog.set_level(logging.INFO, logger="preference_center.maileon.transport")
    maileon.answer("GET", "/contacts/contact", status=503)
    maileon.answer("GET", "/contacts/contact", body=CONTACT)
    maileon.answer("DELETE", "/contacts/email/erika%40example.org/unsubscribe", status=204)
    read(client)
    client.unsubscribe_contacts_by_email(email="erika@example.org", newsletter_account_ids=[1])
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert "maileon get_contact GET contact_id=7 -> 503 (attempt 1)" in lines
    assert "maileon get_contact GET contact_id=7 -> 200 (attempt 2)" in lines
    assert any(line.startswith("maileon unsubscribe_contacts_by_email DELETE") for line in lines)
