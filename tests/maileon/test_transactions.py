"""POST /transactions (maileon-api.md §2.10): what the client puts on the wire (JSON, not XML), what it makes of
Maileon's processing report, and that a call which may have reached Maileon is never sent twice."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from preference_center.maileon import (
    RejectedError,
    TransactionReport,
    TransactionType,
    UnavailableError,
)
from preference_center.maileon import client as client_module
from preference_center.maileon import codec

from .conftest import EXPECTED_AUTHORIZATION

ADDRESS = "erika.beispiel+news@example.org"
JSON = "application/json"
TYPE_ID = 7001


def refused() -> requests.ConnectionError:
    """What requests raises when nobody listens: the request never left this host."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.ConnectionError(MaxRetryError(None, "/1.0/transactions", reason=reason))


def report(**entry) -> str:
    return json.dumps({"reports": [{"contact": {"email": ADDRESS}, **entry}]})


def send(client):
    return client.create_transaction(type_id=TYPE_ID, email=ADDRESS)


def test_one_json_event_for_the_address_with_invalid_transactions_ignored(client, maileon):
    maileon.answer("POST", "/transactions", status=201, body=report(queued=True), content_type=JSON)

    result = send(client)

    [call] = maileon.calls
    assert (call.method, call.path, call.params) == (
        "POST", "/1.0/transactions", [("ignore_invalid_transactions", "true")])
    assert json.loads(call.body) == [{"type": TYPE_ID, "contact": {"email": ADDRESS}, "content": {}}]
    # JSON both ways, as XQueue's PHP client sends this call; the key as on every call.
    assert (call.headers["Content-Type"], call.headers["Accept"]) == (JSON, JSON)
    assert call.headers["Authorization"] == EXPECTED_AUTHORIZATION
    assert "ignore_checksum" not in call.query
    assert result == TransactionReport(queued=True)


def test_content_goes_into_the_event(client, maileon):
    maileon.answer("POST", "/transactions", status=201, body=report(queued=True), content_type=JSON)
    client.create_transaction(type_id=TYPE_ID, email=f"  {ADDRESS} ", content={"page": "herbst", "n": 2})
    [event] = json.loads(maileon.calls[0].body)
    assert event["content"] == {"page": "herbst", "n": 2} and event["contact"] == {"email": ADDRESS}


def test_an_unknown_address_is_a_report_not_an_error_and_its_echo_is_masked(client, maileon):
    maileon.answer("POST", "/transactions", status=201, content_type=JSON,
                   body=report(queued=False, message=f"contact not found: {ADDRESS}"))
    result = send(client)
    assert result.queued is False
    assert ADDRESS not in result.message and "contact not found" in result.message
    assert result.email is None


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[]", b'{"reports": "none"}', b'{"reports": [42]}', b'{"something": "else"}',
    b'{"reports": [{"queued": "perhaps"}]}', "{\"reports\": [{\"queued\": tr".encode(),
])
def test_a_report_it_cannot_read_is_not_said_never_an_error(client, maileon, body, caplog):
    # By then Maileon may have queued the mail: a recipient must not be told to ask again.
    maileon.answer("POST", "/transactions", status=201, body=body, content_type=JSON)
    assert send(client).queued is None


@pytest.mark.parametrize(("entry", "queued"), [({"queued": "true"}, True), ({"queued": False}, False),
                                               ({"queued": True, "contact": {"id": 1001}}, True)])
def test_reports_are_read_tolerantly(client, maileon, entry, queued):
    maileon.answer("POST", "/transactions", status=200, body=json.dumps([entry]), content_type=None)
    result = send(client)
    assert result.queued is queued
    assert result.contact_id == entry.get("contact", {}).get("id")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 415])
def test_a_refusal_is_rejected_and_not_repeated(client, maileon, status):
    maileon.answer("POST", "/transactions", status=status, body=codec.encode_error("unknown transaction type"))
    with pytest.raises(RejectedError) as raised:
        send(client)
    assert (raised.value.operation, raised.value.status) == ("create_transaction", status)
    assert len(maileon.calls) == 1


@pytest.mark.parametrize(("status", "headers"), [(429, {"Retry-After": "1"}), (500, {}), (502, {}), (503, {})])
def test_an_answer_that_says_try_later_is_unavailable_and_not_repeated(client, maileon, sleeps, status, headers):
    maileon.answer("POST", "/transactions", status=status, headers=headers)
    with pytest.raises(UnavailableError) as raised:
        send(client)
    assert raised.value.status == status
    assert len(maileon.calls) == 1 and sleeps == []


@pytest.mark.parametrize("exception", [
    requests.ReadTimeout("read"), requests.ConnectionError("reset after sending"),
    requests.exceptions.ChunkedEncodingError("cut"),
])
def test_no_answer_after_sending_is_never_repeated(client, maileon, exception):
    # The request may have reached Maileon: a second one would be a second mail.
    maileon.answer("POST", "/transactions", exception=exception)
    with pytest.raises(UnavailableError) as raised:
        send(client)
    assert raised.value.__cause__ is exception
    assert len(maileon.calls) == 1


@pytest.mark.parametrize("never_sent", [refused(), requests.ConnectTimeout("connect")])
def test_a_connection_never_made_is_tried_again(client, maileon, sleeps, never_sent):
    maileon.answer("POST", "/transactions", exception=never_sent)
    maileon.answer("POST", "/transactions", status=201, body=report(queued=True), content_type=JSON)
    assert send(client).queued is True
    assert len(maileon.calls) == 2 and len(sleeps) == 1


def test_a_connection_never_made_is_tried_within_the_budget_then_unavailable(client, maileon, config):
    maileon.answer("POST", "/transactions", exception=refused())
    with pytest.raises(UnavailableError):
        send(client)
    assert len(maileon.calls) == 1 + config.read_retries


@pytest.mark.parametrize(("type_id", "email"), [(0, ADDRESS), (-1, ADDRESS), (True, ADDRESS), ("7001", ADDRESS),
                                                 (TYPE_ID, ""), (TYPE_ID, "   "), (TYPE_ID, "no-at-sign")])
def test_arguments_that_cannot_be_a_transaction_fail_before_any_call(client, maileon, type_id, email):
    with pytest.raises(ValueError):
        client.create_transaction(type_id=type_id, email=email)
    maileon.assert_not_called()


def test_no_log_line_names_the_address(client, maileon, caplog):
    caplog.set_level(logging.DEBUG)
    maileon.answer("POST", "/transactions", status=201, content_type=JSON,
                   body=report(queued=False, message=f"contact not found: {ADDRESS}"))
    maileon.answer("POST", "/transactions", status=201, body=b"garbage")
    maileon.answer("POST", "/transactions", status=400, body=codec.encode_error(f"invalid contact {ADDRESS}"))
    send(client)
    send(client)
    with pytest.raises(RejectedError) as raised:
        send(client)
    assert ADDRESS not in str(raised.value)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "create_transaction" in text and ADDRESS not in text and "erika.beispiel" not in text


# --- the account's transaction types


TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><transaction_types>'
    b"<transaction_type><id>7001</id><name>neuer_link</name><description>Neuer Link</description>"
    b"<archivingDuration>30</archivingDuration><storeOnly>false</storeOnly>"
    b"<attributes><attribute><id>1</id><name>seite</name><type>string</type><required>false</required></attribute>"
    b"</attributes></transaction_type>"
    b"<transaction_type><id>7002</id><name>bestellung</name></transaction_type>"
    b"</transaction_types>"
)


def test_transaction_types_are_listed_with_id_and_name(client, maileon):
    maileon.answer("GET", "/transactions/types", body=TYPES_XML)
    types = client.get_transaction_types()
    maileon.assert_called("GET", "/transactions/types", [("page_index", "1"), ("page_size", "1000")])
    assert types == [TransactionType(7001, "neuer_link", "Neuer Link"), TransactionType(7002, "bestellung")]


def test_a_full_page_of_types_asks_for_the_next(client, maileon, monkeypatch):
    monkeypatch.setattr(client_module, "TRANSACTION_TYPES_PAGE_SIZE", 2)
    maileon.answer("GET", "/transactions/types", body=TYPES_XML)
    maileon.answer("GET", "/transactions/types", body=codec.encode_transaction_types([TransactionType(7003, "x")]))
    assert [t.id for t in client.get_transaction_types()] == [7001, 7002, 7003]
    assert [call.params[0] for call in maileon.calls] == [("page_index", "1"), ("page_index", "2")]
